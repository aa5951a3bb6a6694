using System.CommandLine;
using System.Globalization;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid devices list|get|disable|enable|revoke</c>.</summary>
internal static class DeviceCommands
{
    public static Command Build(CliContext cli)
    {
        var devices = new Command("devices", "The tenant's devices: inventory, details, disable/enable, revoke");

        var state = new Option<string?>("--state") { Description = "Only devices in this state (Active, Disabled, Revoked, Transferring, …)" };
        var compliant = new Option<bool?>("--compliant") { Description = "Only devices whose last attestation did (true) or did not (false) meet the policy" };
        var group = new Option<string?>("--group") { Description = "Only devices of this enrolment group" };
        var paging = new Paging();
        var list = paging.AddTo(new Command("list", "List devices (one page; --all for every page)") { state, compliant, group });
        devices.Add(cli.Runs(list, (parse, client, output, ct) =>
        {
            var filter = new DeviceFilter(parse.GetValue(state), parse.GetValue(compliant), parse.GetValue(group));
            return paging.ShowAsync(parse, output, (size, token) => client.ListDevicesAsync(filter, size, token, ct),
                ["DEVICE", "STATE", "COMPLIANT", "FIRMWARE", "CERTIFICATE", "NOT AFTER", "UPDATED"],
                d => [d.DeviceId, d.State, d.Compliant ? "yes" : "no", d.Firmware, d.CertificateSerial, CliOutput.Time(d.CertificateNotAfter), CliOutput.Time(d.UpdatedAt)],
                "devices", ct);
        }));

        var id = new Argument<string>("deviceId") { Description = "The device (lowercase hex SHA-256 of its EK)" };
        devices.Add(cli.Runs(new Command("get", "Show one device") { id }, async (parse, client, output, ct) =>
        {
            return output.Show(await client.GetDeviceAsync(parse.GetValue(id)!, ct), value => Show(output, value));
        }));

        devices.Add(SetDisabled(cli, "disable", "Refuse the device's enrolments and renewals until enabled again", true));
        devices.Add(SetDisabled(cli, "enable", "Admit a disabled device again", false));

        var revokeId = new Argument<string>("deviceId") { Description = "The device" };
        var reason = Revocation.ReasonOption();
        devices.Add(cli.Runs(new Command("revoke", "Revoke the device for good: its certificate goes on the CRL and its MQTT session is closed") { revokeId, reason },
            async (parse, client, output, ct) =>
            {
                return output.Done(await client.RevokeDeviceAsync(parse.GetValue(revokeId)!, parse.GetValue(reason), ct), $"device {parse.GetValue(revokeId)} revoked ({parse.GetValue(reason) ?? "unspecified"})");
            }));
        return devices;
    }

    private static Command SetDisabled(CliContext cli, string name, string description, bool disabled)
    {
        var id = new Argument<string>("deviceId") { Description = "The device" };
        return cli.Runs(new Command(name, description) { id }, async (parse, client, output, ct) =>
        {
            return output.Done(await client.SetDeviceDisabledAsync(parse.GetValue(id)!, disabled, ct), $"device {parse.GetValue(id)} {name}d");
        });
    }

    private static void Show(CliOutput output, DeviceDetails d) => output.Fields(
        ("device", d.DeviceId),
        ("tenant", d.TenantId),
        ("state", d.Status),
        ("group", d.GroupId),
        ("compliant", d.Compliant ? "yes" : "no"),
        ("firmware", d.Firmware),
        ("certificate", d.CertificateSerial),
        ("not after", CliOutput.Time(d.CertificateNotAfter)),
        ("enrolled", CliOutput.Time(d.EnrolledAt)),
        ("last attested", CliOutput.Time(d.LastAttestedAt)),
        ("past certificates", d.PastSerials.Count == 0 ? null : string.Join(", ", d.PastSerials)),
        ("pcrs", d.Pcrs is null or { Count: 0 } ? null
            : string.Join("\n", d.Pcrs.OrderBy(p => p.Key).Select(p => $"{p.Key.ToString(CultureInfo.InvariantCulture),2}: {p.Value}"))));
}
