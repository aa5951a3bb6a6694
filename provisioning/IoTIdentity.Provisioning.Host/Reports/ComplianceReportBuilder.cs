using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// Reads what a compliance report says about one tenant and period. The audit log is read once
/// (<see cref="ReportAuditLog"/>): from the last signed checkpoint before the period to the head, verified as it is read.
/// The entries of the period are counted; those after it turn the inventory (<see cref="InventoryAsOf"/>) and the
/// enrolment group policies (<see cref="PoliciesAsOf"/>) back to how they stood at the period's end. Every list is in a
/// fixed order, and nothing read depends on the moment of reading but on the data, so the same data gives the same report.
/// </summary>
public sealed class ComplianceReportBuilder(IProvisioningStore store, IGrainFactory grains)
{
    /// <summary>How far past the period's end a certificate's expiry makes it "expiring".</summary>
    public const int ExpiringWithinDays = 14;

    /// <summary>Policy and trust changes: who changed what a device must prove, and whom it must come from.</summary>
    public static readonly IReadOnlySet<string> PolicyActions = new HashSet<string>(StringComparer.Ordinal)
    {
        AuditActions.GroupCreate, AuditActions.GroupUpdate, AuditActions.GroupDelete, AuditActions.RootTrusted, AuditActions.RootUntrusted,
        AuditActions.TenantManufacturerRoots, AuditActions.IndividualEnrollmentSet, AuditActions.IndividualEnrollmentDelete, AuditActions.MonitoringPolicy,
    };

    /// <summary>What was done about devices and findings: remediation, quarantines, revocations, disabling, finding state changes.</summary>
    public static readonly IReadOnlySet<string> ActionActions = new HashSet<string>(StringComparer.Ordinal)
    {
        AuditActions.Remediation, AuditActions.Quarantine, AuditActions.QuarantineRelease, AuditActions.Finding, AuditActions.Revoke,
        AuditActions.RevokeCertificate, AuditActions.TransferRevoke, AuditActions.Disable, AuditActions.Enable,
    };

    private static readonly string Active = DeviceStatus.Active.ToString();

    /// <summary>The report of <paramref name="tenantId"/> for <paramref name="period"/>.</summary>
    public async Task<ComplianceReport> BuildAsync(string tenantId, ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var info = await grains.GetGrain<ITenantGrain>(tenantId).GetInfoAsync();
        var checkpoints = grains.GetGrain<IAuditCheckpointGrain>(tenantId);
        // the head is signed first (the checkpoint grain reads only what came since its last checkpoint), then read up to and past it
        var head = await checkpoints.CheckpointAsync();
        var anchor = await checkpoints.GetAtAsync(period.From);
        var inventory = await DevicesAsync(tenantId, cancellationToken);
        var policies = await PoliciesAsync(tenantId);
        var log = await ReportAuditLog.ReadAsync(store, tenantId, period, anchor, head, cancellationToken);
        var devices = await new InventoryAsOf(store, grains).ReadAsync(tenantId, inventory, log.After, period.To, cancellationToken);
        var entries = log.InPeriod;
        var active = devices.Where(d => d.State == Active).ToList();

        return new ComplianceReport(
            tenantId, info?.Name ?? tenantId, period.From, period.To,
            Count(devices.Select(d => d.State)),
            Certificates(entries, active, period),
            Days(entries, period),
            await new PoliciesAsOf(store).ReadAsync(tenantId, policies, log.After, cancellationToken),
            entries.Where(e => PolicyActions.Contains(e.Event.Action)).Select(Cite).ToList(),
            new ReportFirmware(
                active.Count(d => d.Compliant), active.Count(d => !d.Compliant),
                Count(active.Select(d => string.IsNullOrEmpty(d.Firmware) ? "(none)" : d.Firmware)),
                active.Where(d => !d.Compliant).Select(Listed).ToList()),
            await FindingsAsync(tenantId, period),
            entries.Where(e => ActionActions.Contains(e.Event.Action)).Select(Cite).ToList(),
            log.Chain,
            await ApiKeysAsync(tenantId, period));
    }

    private async Task<List<DeviceRecord>> DevicesAsync(string tenantId, CancellationToken cancellationToken)
    {
        var devices = new List<DeviceRecord>();
        await foreach (var page in StorePages.DevicesAsync(store, tenantId, cancellationToken: cancellationToken))
            devices.AddRange(page);
        return devices;
    }

    private static ReportCertificates Certificates(IReadOnlyList<AuditEntry> entries, List<DeviceRecord> active, ReportPeriod period)
    {
        var horizon = period.To + TimeSpan.FromDays(ExpiringWithinDays);
        var revocations = entries.Where(IsRevocation).ToList();
        return new ReportCertificates(
            entries.Count(e => IsIssued(e) && !IsRenewal(e)), entries.Count(e => IsIssued(e) && IsRenewal(e)), revocations.Count,
            Count(revocations.Select(e => e.Event.Details?.GetValueOrDefault("reason") ?? e.Event.Action)),
            ExpiringWithinDays,
            active.Where(d => d.CertificateNotAfter is { } end && end < horizon)
                .OrderBy(d => d.CertificateNotAfter).ThenBy(d => d.DeviceId, StringComparer.Ordinal).Select(Listed).ToList());
    }

    private static List<ReportDay> Days(IReadOnlyList<AuditEntry> entries, ReportPeriod period)
    {
        var byDay = entries.ToLookup(e => DateOnly.FromDateTime(e.Event.At.UtcDateTime));
        return period.Days().Select(day =>
        {
            var of = byDay[day].ToList();
            return new ReportDay(day, of.Count(e => IsIssued(e) && !IsRenewal(e)), of.Count(e => IsIssued(e) && IsRenewal(e)),
                of.Count(IsRevocation), of.Count(e => e.Event.Outcome.StartsWith("refused:", StringComparison.Ordinal)));
        }).ToList();
    }

    private async Task<List<EnrollmentPolicy>> PoliciesAsync(string tenantId)
    {
        var directory = await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).GetAsync();
        var policies = new List<EnrollmentPolicy>();
        foreach (var key in directory.Groups.Where(k => k.IsOf(tenantId)))
            if (await grains.GetGroupGrain(key).GetPolicyAsync() is { } policy) policies.Add(policy);
        return policies;
    }

    private async Task<List<ReportFinding>> FindingsAsync(string tenantId, ReportPeriod period) =>
        (await grains.GetGrain<IMonitorGrain>(tenantId).ListFindingsAsync())
            .Where(f => f.FirstSeen < period.To && f.LastSeen >= period.From)
            .OrderBy(f => f.FirstSeen).ThenBy(f => f.Id, StringComparer.Ordinal)
            .Select(f => new ReportFinding(f.Id, f.Kind.ToString(), f.Severity.ToString(), f.State.ToString(), f.Count, f.FirstSeen.ToUniversalTime(),
                f.LastSeen.ToUniversalTime(), f.Remediation, [.. f.Devices.Order(StringComparer.Ordinal)], [.. f.AuditSequences.Order()]))
            .ToList();

    private async Task<List<ReportApiKey>> ApiKeysAsync(string tenantId, ReportPeriod period) =>
        (await grains.GetGrain<ITenantGrain>(tenantId).ListApiKeysAsync())
            .Where(k => k.CreatedAt < period.To)
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal)
            .Select(k => new ReportApiKey(k.KeyId, k.Name, k.Role.ToString(), k.CreatedAt.ToUniversalTime(),
                k.RevokedAt is { } revoked && revoked < period.To ? revoked.ToUniversalTime() : null))
            .ToList();

    private static bool IsIssued(AuditEntry e) => e.Event.Action == AuditActions.Attest && e.Event.Outcome == "issued";

    private static bool IsRenewal(AuditEntry e) => e.Event.Details?.GetValueOrDefault("mode") == RegisterModes.Renew;

    private static bool IsRevocation(AuditEntry e) =>
        e.Event.Action is AuditActions.Revoke or AuditActions.RevokeCertificate or AuditActions.TransferRevoke
        && !e.Event.Outcome.StartsWith("refused:", StringComparison.Ordinal);

    private static ReportEntry Cite(AuditEntry e) => new(e.Sequence, e.Event.At, e.Event.Action, e.Event.Subject, e.Event.Outcome, e.Event.Actor,
        string.Join("; ", (e.Event.Details ?? new Dictionary<string, string>()).OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")));

    private static ReportDevice Listed(DeviceRecord d) => new(d.DeviceId, d.State, d.GroupId, d.Firmware, d.CertificateNotAfter);

    private static List<ReportCount> Count(IEnumerable<string> names) => names
        .GroupBy(n => n, StringComparer.Ordinal).Select(g => new ReportCount(g.Key, g.Count()))
        .OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
}
