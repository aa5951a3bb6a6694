using System.CommandLine;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// <c>iotid devices links|link|unlink</c>: the tenant's other device ids of the same TPM (its RSA and ECC EKs are two
/// ids, one device) — shown with why they are linked, and linked or unlinked by an operator (docs/trust-model.md).
/// </summary>
internal static class DeviceLinkCommands
{
    public static void AddTo(Command devices, CliContext cli)
    {
        var id = DeviceCommands.DeviceArgument();
        devices.Add(cli.Runs(new Command("links", "Show the device's TPM and its other ids of the same TPM, with why they are linked") { id },
            async (parse, client, output, ct) =>
            {
                var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(id)!, ct);
                return output.Show(await client.GetDeviceAsync(deviceId, ct), d =>
                {
                    output.Fields(("device", d.DeviceId), ("tpm", d.Tpm ?? "(its EK certificate names none)"));
                    output.Table(["LINKED DEVICE", "BASIS"], d.Links.Select(l => (IReadOnlyList<string?>)[l.DeviceId, l.Basis]));
                });
            }));

        devices.Add(Pair(cli, "link", "Link two of the tenant's device ids as one TPM (both sides, audited)", (client, a, b, ct) => client.LinkDeviceAsync(a, b, ct)));
        devices.Add(Pair(cli, "unlink", "Remove the link between two of the tenant's device ids (both sides, audited)", (client, a, b, ct) => client.UnlinkDeviceAsync(a, b, ct)));
    }

    /// <summary><c>devices link|unlink &lt;id&gt; &lt;otherId&gt;</c>: both ids (or prefixes) resolved, then <paramref name="call"/>.</summary>
    private static Command Pair(CliContext cli, string name, string description,
        Func<Protocol.Management.IotIdClient, string, string, CancellationToken, Task<string>> call)
    {
        var id = DeviceCommands.DeviceArgument();
        var other = new Argument<string>("otherDeviceId") { Description = "The tenant's other device id of the same TPM (or a prefix only it has)" };
        return cli.Runs(new Command(name, description) { id, other }, async (parse, client, output, ct) =>
        {
            var a = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(id)!, ct);
            var b = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(other)!, ct);
            return output.Done(await call(client, a, b, ct), $"devices {a} and {b} {name}ed");
        });
    }
}
