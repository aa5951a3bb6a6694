using System.CommandLine;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>The command line of <c>iotid ownership verify</c>: the document and where owners' keys come from.</summary>
internal sealed class OwnershipVerifyOptions
{
    public Argument<string> File { get; } = new("file") { Description = "An ownership document (from ownership export)" };

    public Option<string[]> OwnerKeys { get; } = new("--owner-key") { Description = "Pin an owner's public key: tenantId=path.pem (repeat)" };

    public Option<bool> FetchKeys { get; } = new("--fetch-keys") { Description = "Fetch owners' keys not pinned from --url (GET /api/v1/tenants/{id}/ownership-key)" };

    public Command Command(string description) => new("verify", description) { File, OwnerKeys, FetchKeys };
}
