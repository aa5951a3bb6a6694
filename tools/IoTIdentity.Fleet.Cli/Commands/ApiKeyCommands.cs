using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid api-keys list|create|revoke</c> (owner-admin).</summary>
internal static class ApiKeyCommands
{
    /// <summary>The roles as typed at the command line, and as the API's enum names them.</summary>
    private static readonly Dictionary<string, string> Roles = new()
    {
        ["owner-admin"] = "OwnerAdmin", ["operator"] = "Operator", ["auditor"] = "Auditor",
    };

    public static Command Build(CliContext cli)
    {
        var keys = new Command("api-keys", "The tenant's API keys (owner-admin): list, create (shown once), revoke");

        keys.Add(cli.Runs(new Command("list", "List keys (never their secrets)"), async (_, client, output, ct) =>
        {
            return output.Show(await client.ListApiKeysAsync(ct), page => output.Table(["KEY ID", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED"],
                page.Items.Select(k => (IReadOnlyList<string?>)[k.KeyId, k.Name, k.Role, CliOutput.Time(k.CreatedAt), CliOutput.Time(k.LastUsedAt), k.RevokedAt is null ? "-" : CliOutput.Time(k.RevokedAt)])));
        }));

        var name = new Option<string>("--name") { Description = "What the key is for", Required = true };
        var role = new Option<string>("--role") { Description = "owner-admin|operator|auditor", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.Keys]);
        keys.Add(cli.Runs(new Command("create", "Create a key; prints it once") { name, role }, async (parse, client, output, ct) =>
        {
            var created = await client.CreateApiKeyAsync(new CreateApiKeyRequest(parse.GetValue(name)!, Roles[parse.GetValue(role)!]), ct);
            if (output.IsJson) output.Raw(created.Json);
            else
            {
                output.Fields(("key id", created.Value.KeyId), ("role", created.Value.Role), ("key", created.Value.Key));
                output.Note("The key is shown this once; store it now.");
            }
            return ExitCodes.Ok;
        }));

        var id = new Argument<string>("keyId") { Description = "The key's id (from api-keys list)" };
        keys.Add(cli.Runs(new Command("revoke", "Revoke a key: it stops working at once") { id }, async (parse, client, output, ct) =>
        {
            return output.Done(await client.RevokeApiKeyAsync(parse.GetValue(id)!, ct), $"key {parse.GetValue(id)} revoked");
        }));
        return keys;
    }
}
