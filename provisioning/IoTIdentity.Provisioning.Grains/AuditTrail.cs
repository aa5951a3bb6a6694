using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// Writes every enrolment decision to the tenant's hash-chained audit log with the digest of its evidence (the
/// request bytes), then hands it to the <see cref="MonitoringFeed"/> with its sequence number (without waiting).
/// Decisions made before the tenant is known (unknown device, untrusted root) go to the <see cref="Unassigned"/> log.
/// </summary>
public sealed class AuditTrail(IProvisioningStore store, TimeProvider clock, MonitoringFeed feed)
{
    /// <summary>The audit stream for refusals that belong to no tenant.</summary>
    public const string Unassigned = "-unassigned";

    /// <summary>The log a decision about <paramref name="tenantId"/> goes to (the <see cref="Unassigned"/> one without a tenant).</summary>
    public static string LogOf(string? tenantId) => tenantId ?? Unassigned;

    /// <summary>Appends one decision.</summary>
    public Task RecordAsync(string? tenantId, string action, string subject, string outcome, ReadOnlySpan<byte> evidence, string actor,
        IReadOnlyDictionary<string, string>? details = null) =>
        AppendAsync(LogOf(tenantId), Describe(action, subject, outcome, evidence, actor, details));

    /// <summary>The entry of one decision, to be appended by the caller with other writes (then <see cref="Appended"/>).</summary>
    public AuditEvent Describe(string action, string subject, string outcome, ReadOnlySpan<byte> evidence, string actor,
        IReadOnlyDictionary<string, string>? details = null) => new()
        {
            Action = action,
            Subject = subject,
            Outcome = outcome,
            EvidenceDigest = Convert.ToHexStringLower(SHA256.HashData(evidence)),
            Actor = actor,
            At = clock.GetUtcNow(),
            Details = details,
        };

    private async Task AppendAsync(string tenantId, AuditEvent audited) => Appended(tenantId, audited, await store.AppendAuditAsync(tenantId, audited));

    /// <summary>Hands an appended entry to monitoring (what every append here does once it is stored).</summary>
    public void Appended(string tenantId, AuditEvent audited, AuditEntry entry) =>
        feed.Publish(tenantId, new MonitoredEvent
        {
            Kind = MonitoredEventKind.Decision, Subject = audited.Subject, At = audited.At, Action = audited.Action, Outcome = audited.Outcome,
            Actor = audited.Actor, AuditSequence = entry.Sequence,
            Details = audited.Details?.ToImmutableSortedDictionary(StringComparer.Ordinal) ?? ImmutableSortedDictionary<string, string>.Empty,
        });
}
