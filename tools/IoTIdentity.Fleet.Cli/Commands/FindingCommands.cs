using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary><c>iotid findings list|get|ack|resolve|sweep</c>: what monitoring found in the tenant.</summary>
internal static class FindingCommands
{
    public static Command Build(CliContext cli)
    {
        var findings = new Command("findings", "What monitoring found: clone suspicion, attestation failures, firmware drift, stale devices, …");

        var state = new Option<string?>("--state") { Description = "Only findings in this state (Open, Acknowledged, Resolved)" };
        var kind = new Option<string?>("--kind") { Description = "Only findings of this kind (CloneSuspected, FirmwareDowngrade, …)" };
        findings.Add(cli.Runs(new Command("list", "List findings, newest first") { state, kind }, async (parse, client, output, ct) =>
        {
            var page = await client.ListFindingsAsync(parse.GetValue(state), parse.GetValue(kind), ct);
            if (output.IsJson) output.Raw(page.Json);
            else output.Table(["ID", "KIND", "SEVERITY", "STATE", "DEVICES", "COUNT", "LAST SEEN", "REMEDIATION"],
                page.Value.Items.Select(f => (IReadOnlyList<string?>)[f.Id, f.Kind, f.Severity, f.State, Devices(f), f.Count.ToString(), CliOutput.Time(f.LastSeen), f.Remediation]));
            return ExitCodes.Ok;
        }));

        var id = new Argument<string>("findingId") { Description = "The finding (f-…)" };
        findings.Add(cli.Runs(new Command("get", "Show one finding with its evidence and audit entries") { id }, async (parse, client, output, ct) =>
            output.Show(await client.GetFindingAsync(parse.GetValue(id)!, ct), f => Show(output, f))));

        findings.Add(SetState(cli, "ack", "Acknowledge a finding (someone is on it)", resolve: false));
        findings.Add(SetState(cli, "resolve", "Resolve a finding (the same signal later opens a new one)", resolve: true));

        findings.Add(cli.Runs(new Command("sweep", "Look over the inventory for stale devices and expiring certificates now"), async (_, client, output, ct) =>
            output.Done(await client.SweepFindingsAsync(ct), "swept")));
        return findings;
    }

    private static Command SetState(CliContext cli, string name, string description, bool resolve)
    {
        var id = new Argument<string>("findingId") { Description = "The finding (f-…)" };
        return cli.Runs(new Command(name, description) { id }, async (parse, client, output, ct) =>
            output.Show(await client.SetFindingStateAsync(parse.GetValue(id)!, resolve, ct), f => output.Line($"finding {f.Id} {f.State.ToLowerInvariant()}")));
    }

    private static string Devices(FindingView f) => f.Devices.Count switch
    {
        0 => "-",
        1 => f.Devices[0][..Math.Min(16, f.Devices[0].Length)],
        var n => $"{n} devices",
    };

    private static void Show(CliOutput output, FindingView f) => output.Fields(
        ("finding", f.Id),
        ("kind", f.Kind),
        ("severity", f.Severity),
        ("state", f.StateChangedBy is null ? f.State : $"{f.State} by {f.StateChangedBy} at {CliOutput.Time(f.StateChangedAt)}"),
        ("key", f.Key),
        ("devices", f.Devices.Count == 0 ? null : string.Join("\n", f.Devices)),
        ("evidence", f.Evidence.Count == 0 ? null : string.Join("\n", f.Evidence.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}"))),
        ("first seen", CliOutput.Time(f.FirstSeen)),
        ("last seen", CliOutput.Time(f.LastSeen)),
        ("count", f.Count.ToString()),
        ("remediation", f.Remediation),
        ("audit entries", f.AuditSequences.Count == 0 ? null : string.Join(", ", f.AuditSequences)));
}
