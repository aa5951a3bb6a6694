using System.CommandLine;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>The <c>--reason</c> of a revocation: an RFC 5280 CRLReason name, checked before anything is sent.</summary>
internal static class Revocation
{
    /// <summary>The names the API takes (RFC 5280 §5.3.1, without removeFromCRL).</summary>
    public static readonly string[] Reasons =
    [
        "unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation",
        "certificateHold", "privilegeWithdrawn", "aACompromise",
    ];

    public static Option<string?> ReasonOption()
    {
        var option = new Option<string?>("--reason") { Description = $"RFC 5280 reason: {string.Join('|', Reasons)} (default unspecified)" };
        option.AcceptOnlyFromAmong(Reasons);
        return option;
    }
}
