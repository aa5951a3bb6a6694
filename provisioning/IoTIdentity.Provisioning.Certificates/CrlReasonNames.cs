namespace IoTIdentity.Provisioning.Certificates;

/// <summary>The RFC 5280 ASN.1 names of <see cref="CrlReason"/> values (<c>keyCompromise</c>, <c>cACompromise</c>, …), as the API spells them.</summary>
public static class CrlReasonNames
{
    private static readonly Dictionary<string, CrlReason> ByName = new(StringComparer.Ordinal)
    {
        ["unspecified"] = CrlReason.Unspecified,
        ["keyCompromise"] = CrlReason.KeyCompromise,
        ["cACompromise"] = CrlReason.CaCompromise,
        ["affiliationChanged"] = CrlReason.AffiliationChanged,
        ["superseded"] = CrlReason.Superseded,
        ["cessationOfOperation"] = CrlReason.CessationOfOperation,
        ["certificateHold"] = CrlReason.CertificateHold,
        ["privilegeWithdrawn"] = CrlReason.PrivilegeWithdrawn,
        ["aACompromise"] = CrlReason.AaCompromise,
    };

    /// <summary>Every accepted name, in RFC order.</summary>
    public static IReadOnlyCollection<string> All => ByName.Keys;

    /// <summary>The reason named <paramref name="name"/> (exactly as RFC 5280 writes it); false for anything else.</summary>
    public static bool TryParse(string? name, out CrlReason reason) => ByName.TryGetValue(name ?? "", out reason);

    /// <summary>The RFC 5280 name of <paramref name="reason"/>.</summary>
    public static string NameOf(CrlReason reason) => ByName.First(p => p.Value == reason).Key;
}
