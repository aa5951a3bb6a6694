using System.Globalization;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// What a reader sees, in order: the period and digest, then inventory, certificates, attestation policy, firmware,
/// findings and actions, the audit chain and the API keys. Tables show at most <see cref="MaxRows"/> rows; the CSV and
/// JSON carry every one.
/// </summary>
public static class ComplianceReportLayout
{
    /// <summary>The most rows a printed table shows.</summary>
    public const int MaxRows = 200;

    /// <summary>The report's title.</summary>
    public static string Title(ComplianceReport r) => $"Compliance report: {r.TenantName} ({r.TenantId})";

    /// <summary>The period in words.</summary>
    public static string Period(ComplianceReport r) => $"Period {Time(r.From)} to {Time(r.To)} (UTC, end exclusive)";

    /// <summary>The report's blocks, in reading order.</summary>
    public static IReadOnlyList<ReportBlock> Blocks(ComplianceReport r)
    {
        var c = r.Certificates;
        var chain = r.AuditChain;
        List<ReportBlock> blocks =
        [
            new ReportParagraph(Period(r)),
            new ReportParagraph($"Content digest (SHA-256 of the report's JSON data): {ComplianceReportJson.Digest(r)}"),

            new ReportHeading("1. Inventory"),
            new ReportParagraph($"{r.DeviceCount} devices in the inventory at the period's end ({Time(r.To)}): devices changed since are shown as " +
                "their audit entries up to then leave them; devices issued a certificate since are left out."),
            Table(["State", "Devices"], r.Inventory, s => [s.Name, Number(s.Count)]),
            new ReportChart("Devices by state", ComplianceCharts.Inventory),

            new ReportHeading("2. Certificates"),
            new ReportParagraph($"Issued at enrolment: {Number(c.Issued)}. Renewed: {Number(c.Renewed)}. Revoked: {Number(c.Revoked)}."),
            Table(["Revocation reason", "Revocations"], c.RevokedByReason, s => [s.Name, Number(s.Count)]),
            new ReportChart("Certificates and refusals per day", ComplianceCharts.Activity),
            new ReportParagraph($"Active devices whose certificate expires before {Time(r.To.AddDays(c.ExpiringWithinDays))} " +
                $"({c.ExpiringWithinDays} days after the period): {Number(c.Expiring.Count)}."),
            Table(["Device", "Group", "Certificate expires"], c.Expiring, d => [d.DeviceId, d.GroupId ?? "", Time(d.CertificateNotAfter)]),

            new ReportHeading("3. Attestation policy"),
            new ReportParagraph($"Versions in force at the period's end ({Time(r.To)}), changes made since undone:"),
            Table(["Group", "Version", "Enabled", "PCRs", "Firmware allowed", "Lifetime (s)", "Roots"], r.Policies,
                p => [p.GroupId, Number(p.Version), p.Enabled ? "yes" : "no", p.PcrIndices, p.AllowedFirmware.Length == 0 ? "any" : p.AllowedFirmware,
                    Number(p.CertificateLifetimeSeconds), Number(p.TrustedRoots)]),
            new ReportParagraph($"Changes in the period: {Number(r.PolicyChanges.Count)}."),
            Entries(r.PolicyChanges),

            new ReportHeading("4. Firmware compliance"),
            new ReportParagraph($"Active devices compliant: {Number(r.Firmware.Compliant)}; non-compliant: {Number(r.Firmware.NonCompliant)}."),
            Table(["Firmware", "Active devices"], r.Firmware.ByRelease, s => [s.Name, Number(s.Count)]),
            Table(["Non-compliant device", "Group", "Firmware"], r.Firmware.NonCompliantDevices, d => [d.DeviceId, d.GroupId ?? "", d.Firmware ?? ""]),

            new ReportHeading("5. Findings and actions"),
            new ReportParagraph($"Findings seen in the period: {Number(r.Findings.Count)}. Their state is as it is when the report is read."),
            Table(["Finding", "Kind", "Severity", "State", "Count", "First seen", "Last seen", "Remediation", "Devices"], r.Findings,
                f => [f.Id, f.Kind, f.Severity, f.State, Number(f.Count), Time(f.FirstSeen), Time(f.LastSeen), f.Remediation, string.Join(' ', f.Devices)]),
            new ReportParagraph($"Actions taken in the period: {Number(r.Actions.Count)}."),
            Entries(r.Actions),

            new ReportHeading("6. Audit log"),
            new ReportParagraph(chain.Intact
                ? $"Hash chain intact: {Number(chain.EntriesChecked)} entries checked; {Number(chain.EntriesInPeriod)} in the period."
                : $"Hash chain BROKEN at entry {chain.FirstBrokenSequence}: {chain.Problem} ({Number(chain.EntriesChecked)} entries checked)."),
            new ReportParagraph(Verified(chain)),
            new ReportParagraph(chain.Anchor is { } anchor
                ? $"Checkpoint before the period: size {Number(anchor.Size)}, head {anchor.HeadHash}, at {Time(anchor.At)}, key {anchor.KeyId}, signature {anchor.Signature}"
                : "No signed checkpoint made before the period is kept."),
            new ReportParagraph(chain.Checkpoint is { } cp
                ? $"Signed checkpoint: size {Number(cp.Size)}, head {cp.HeadHash}, at {Time(cp.At)}, key {cp.KeyId}, signature {cp.Signature}"
                : "No signed checkpoint could be made."),

            new ReportHeading("7. API keys"),
            Table(["Key", "Name", "Role", "Created", "Revoked"], r.ApiKeys, k => [k.KeyId, k.Name ?? "", k.Role, Time(k.CreatedAt), Time(k.RevokedAt)]),
        ];
        return blocks;
    }

    /// <summary>What the walk over the log proved, and what it rests on at either end.</summary>
    public static string Verified(ReportAuditChain chain)
    {
        var start = chain.Anchor is { } anchor ? $"the head of the checkpoint of {Number(anchor.Size)} entries signed at {Time(anchor.At)}"
            : chain.FirstSequence == 1 ? "the genesis hash"
            : "the hash it names (no signed checkpoint before the period is kept; the entries are anchored by the signed head alone)";
        var end = chain.Checkpoint is { } head ? $"; entry {Number(head.Size)} is the head the checkpoint below signs" : "";
        var unread = chain.FirstSequence > 1 ? $" Entries 1 to {Number(chain.FirstSequence - 1)} precede the period and were not read." : "";
        return $"Verified entries {Number(chain.FirstSequence)} to {Number(chain.LastSequence)}: each links to the one before it and hashes to " +
            $"what it stores; entry {Number(chain.FirstSequence)} links to {start}{end}.{unread}";
    }

    private static ReportTable Entries(IReadOnlyList<ReportEntry> entries) =>
        Table(["Seq", "At", "Action", "Subject", "Outcome", "By", "Details"], entries,
            e => [Number(e.Sequence), Time(e.At), e.Action, e.Subject, e.Outcome, e.Actor, e.Details]);

    private static ReportTable Table<T>(IReadOnlyList<string> columns, IReadOnlyList<T> items, Func<T, IReadOnlyList<string>> row) =>
        new(columns, items.Take(MaxRows).Select(row).ToList(), Math.Max(0, items.Count - MaxRows));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}
