using System.Security.Cryptography;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// Writes every enrolment decision to the tenant's hash-chained audit log with the digest of its evidence (the
/// request bytes). Decisions made before the tenant is known (unknown device, untrusted root) go to the
/// <see cref="Unassigned"/> log.
/// </summary>
public sealed class AuditTrail(IProvisioningStore store, TimeProvider clock)
{
    /// <summary>The audit stream for refusals that belong to no tenant.</summary>
    public const string Unassigned = "-unassigned";

    /// <summary>Appends one decision.</summary>
    public Task RecordAsync(string? tenantId, string action, string subject, string outcome, ReadOnlySpan<byte> evidence, string actor,
        IReadOnlyDictionary<string, string>? details = null) =>
        store.AppendAuditAsync(tenantId ?? Unassigned, new AuditEvent
        {
            Action = action,
            Subject = subject,
            Outcome = outcome,
            EvidenceDigest = Convert.ToHexStringLower(SHA256.HashData(evidence)),
            Actor = actor,
            At = clock.GetUtcNow(),
            Details = details,
        });
}
