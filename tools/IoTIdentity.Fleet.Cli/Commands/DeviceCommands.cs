using System.CommandLine;
using System.Globalization;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// <c>iotid devices list|get|attestations|tag|disable|enable|reattest|revoke</c> (and <see cref="DeviceLinkCommands"/>). Every command that takes a device id takes a unique prefix of
/// one (<see cref="DeviceIdPrefixes"/>); the list shows such prefixes unless <c>--wide</c>.
/// </summary>
internal static class DeviceCommands
{
    public static Command Build(CliContext cli)
    {
        var devices = new Command("devices", "The tenant's devices: inventory, details, attestation history, disable/enable, re-attest, revoke");

        var state = new Option<string?>("--state") { Description = "Only devices in this state (Unknown, Challenged, Active, Transferring, Disabled, Revoked)" };
        var compliant = new Option<bool?>("--compliant") { Description = "Only devices whose last attestation did (true) or did not (false) meet the policy" };
        var group = new Option<string?>("--group") { Description = "Only devices of this enrolment group" };
        var tag = new Option<string?>("--tag") { Description = "Only devices carrying this tag" };
        var prefix = new Option<string?>("--prefix") { Description = "Only devices whose id starts with this" };
        var paging = new Paging();
        var list = paging.AddTo(new Command("list", "List devices (one page; --all for every page)") { state, compliant, group, tag, prefix });
        devices.Add(cli.Runs(list, (parse, client, output, ct) =>
        {
            var filter = new DeviceFilter(parse.GetValue(state), parse.GetValue(compliant), parse.GetValue(group), parse.GetValue(tag), parse.GetValue(prefix));
            Dictionary<string, string> shortened = [];
            return paging.ShowAsync(parse, output, async (size, token) =>
                {
                    var page = await client.ListDevicesAsync(filter, size, token, ct);
                    // a linked id is shortened with the listed ones, so the two sides of a link read alike
                    shortened = DeviceIdPrefixes.Shorten(shortened.Keys.Concat(page.Value.Items.SelectMany(d => (d.Links ?? []).Prepend(d.DeviceId))));
                    return page;
                },
                output.IsWide
                    ? ["DEVICE", "STATE", "GROUP", "COMPLIANT", "FIRMWARE", "SEEN", "CERTIFICATE", "NOT AFTER", "UPDATED", "TAGS", "LINKS"]
                    : ["DEVICE", "STATE", "GROUP", "OK", "FIRMWARE", "SEEN", "NOT AFTER", "TAGS", "LINKS"],
                d => output.IsWide
                    ? [d.DeviceId, d.State, d.GroupId, d.Compliant ? "yes" : "no", d.Firmware, Seen(d), d.CertificateSerial, CliOutput.Time(d.CertificateNotAfter),
                        CliOutput.Time(d.UpdatedAt), string.Join(' ', d.Tags ?? []), Links(output, shortened, d)]
                    : [DeviceIdPrefixes.Show(output, shortened, d.DeviceId), d.State, d.GroupId, d.Compliant ? "yes" : "no", d.Firmware, Seen(d),
                        d.CertificateNotAfter?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Join(' ', d.Tags ?? []),
                        Links(output, shortened, d)],
                "devices", ct);
        }));

        var id = DeviceArgument();
        devices.Add(cli.Runs(new Command("get", "Show one device") { id }, async (parse, client, output, ct) =>
        {
            return output.Show(await client.GetDeviceAsync(await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(id)!, ct), ct), value => Show(output, value));
        }));

        var tagId = DeviceArgument();
        var tags = new Argument<string[]>("tags") { Description = "The device's tags (letters, digits and . _ - : = /; none clears them)", Arity = ArgumentArity.ZeroOrMore };
        devices.Add(cli.Runs(new Command("tag", "Replace the device's tags (e.g. site:berlin floor=2); list them with devices list --tag") { tagId, tags },
            async (parse, client, output, ct) =>
            {
                var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(tagId)!, ct);
                return output.Show(await client.SetDeviceTagsAsync(deviceId, parse.GetValue(tags) ?? [], ct), value =>
                    output.Line($"device {deviceId} tagged {(value.Tags.Count == 0 ? "(none)" : string.Join(' ', value.Tags))}"));
            }));

        devices.Add(SetDisabled(cli, "disable", "Refuse the device's enrolments and renewals until enabled again", true));
        devices.Add(SetDisabled(cli, "enable", "Admit a disabled device again", false));

        var historyId = DeviceArgument();
        devices.Add(cli.Runs(new Command("attestations", "Show the device's recent accepted attestations, newest first: firmware release matched and PCRs") { historyId },
            async (parse, client, output, ct) =>
            {
                var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(historyId)!, ct);
                return output.Show(await client.GetDeviceAttestationsAsync(deviceId, ct), history => output.Table(["AT", "MODE", "RELEASE", "CERTIFICATE", "PCRS"],
                    history.Select(a => (IReadOnlyList<string?>)[CliOutput.Time(a.At), a.Mode, a.Firmware ?? "(none)", a.SerialNumber,
                        string.Join(' ', a.Pcrs.OrderBy(p => p.Key).Select(p => $"{p.Key.ToString(CultureInfo.InvariantCulture)}:{p.Value[..Math.Min(8, p.Value.Length)]}"))])));
            }));

        var reattestId = DeviceArgument();
        devices.Add(cli.Runs(new Command("reattest", "Ask the device to attest again now (it renews: fresh quote, event log against the firmware policy, new key)") { reattestId },
            async (parse, client, output, ct) =>
            {
                var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(reattestId)!, ct);
                return output.Show(await client.ReattestDeviceAsync(deviceId, ct), r => output.Line(r.Delivery == "sent"
                    ? $"device {deviceId}: attest-now sent (again whenever it reconnects until it attests); `iotid devices attestations {deviceId}` shows the result"
                    : $"device {deviceId}: attest-now goes out when the device next connects"));
            }));

        var revokeId = DeviceArgument();
        var reason = Revocation.ReasonOption();
        devices.Add(cli.Runs(new Command("revoke", "Revoke the device for good: its certificate goes on the CRL and its MQTT session is closed") { revokeId, reason },
            async (parse, client, output, ct) =>
            {
                var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(revokeId)!, ct);
                return output.Done(await client.RevokeDeviceAsync(deviceId, parse.GetValue(reason), ct), $"device {deviceId} revoked ({parse.GetValue(reason) ?? "unspecified"})");
            }));
        DeviceLinkCommands.AddTo(devices, cli);
        return devices;
    }

    /// <summary>A device id argument: a whole id or a unique prefix of one.</summary>
    public static Argument<string> DeviceArgument() =>
        new("deviceId") { Description = "The device: its id (lowercase hex SHA-256 of its EK) or a prefix of it that only it has" };

    private static string Links(CliOutput output, Dictionary<string, string> shortened, DeviceSummary d) =>
        string.Join(' ', (d.Links ?? []).Select(id => DeviceIdPrefixes.Show(output, shortened, id)));

    private static string Seen(DeviceSummary d) => d.Connected ? "connected" : d.LastSeenAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never";

    private static Command SetDisabled(CliContext cli, string name, string description, bool disabled)
    {
        var id = DeviceArgument();
        return cli.Runs(new Command(name, description) { id }, async (parse, client, output, ct) =>
        {
            var deviceId = await DeviceIdPrefixes.ResolveAsync(client, parse.GetValue(id)!, ct);
            return output.Done(await client.SetDeviceDisabledAsync(deviceId, disabled, ct), $"device {deviceId} {name}d");
        });
    }

    private static void Show(CliOutput output, DeviceDetails d) => output.Fields(
        ("device", d.DeviceId),
        ("tenant", d.TenantId),
        ("state", d.Status),
        ("group", d.GroupId),
        ("compliant", d.Compliant ? "yes" : "no"),
        ("tags", d.Tags.Count == 0 ? null : string.Join(' ', d.Tags)),
        ("seen", d.Connected ? $"connected since {CliOutput.Time(d.LastSeenAt)}" : d.LastSeenAt is null ? "never" : $"disconnected at {CliOutput.Time(d.LastSeenAt)}"),
        ("firmware", d.Firmware),
        ("certificate", d.CertificateSerial),
        ("not after", CliOutput.Time(d.CertificateNotAfter)),
        ("enrolled", CliOutput.Time(d.EnrolledAt)),
        ("last attested", CliOutput.Time(d.LastAttestedAt)),
        ("quarantined", d.QuarantineFindingId is null ? null
            : $"since {CliOutput.Time(d.QuarantinedSince)} for finding {d.QuarantineFindingId} (renewals and tokens refused until `iotid monitoring release`)"),
        ("re-attest", d.Reattest is not { } r ? null : r.State switch
        {
            ReattestStatus.Attested => $"asked {CliOutput.Time(r.RequestedAt)}, attested {CliOutput.Time(r.AnsweredAt)}",
            ReattestStatus.Failed => $"asked {CliOutput.Time(r.RequestedAt)}, failed {CliOutput.Time(r.AnsweredAt)}: {r.Reason} (asked again when it next connects)",
            _ => $"asked {CliOutput.Time(r.RequestedAt)}, no answer yet",
        }),
        ("past certificates", d.PastSerials.Count == 0 ? null : string.Join(", ", d.PastSerials)),
        ("pcrs", d.Pcrs is null or { Count: 0 } ? null
            : string.Join("\n", d.Pcrs.OrderBy(p => p.Key).Select(p => $"{p.Key.ToString(CultureInfo.InvariantCulture),2}: {p.Value}"))));
}
