using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// The store's writes on its writer connection. Every single write of <see cref="SqliteProvisioningStore"/> is one of
/// these methods in its own savepoint of a group commit; <see cref="SqliteProvisioningStore.WriteBatchAsync"/> hands
/// the same methods to a caller inside one savepoint, so a batch writes exactly the rows the single writes would, all
/// or none (filling or importing many devices).
/// </summary>
/// <remarks>Valid only inside the callback it was handed to; arguments are checked as the single writes check them.</remarks>
public sealed class SqliteWriteBatch
{
    /// <summary>How many lost races an append or a claim tolerates before reporting the store as unavailable.</summary>
    private const int MaxAttempts = 64;

    internal const string AuditColumns =
        "tenant_id, sequence, action, subject, outcome, evidence_digest, actor, at_ticks, details, previous_hash, hash";

    internal const string DeviceColumns =
        "tenant_id, device_id, state, firmware, certificate_serial, certificate_not_after_ticks, compliant, updated_ticks, " +
        "group_id, tags, last_seen_ticks, connected, links";

    private readonly SqliteSession _session;
    private readonly string _databasePath;

    internal SqliteWriteBatch(SqliteSession session, string databasePath)
    {
        _session = session;
        _databasePath = databasePath;
    }

    /// <summary>Creates (<paramref name="expectedETag"/> null) or replaces a state document, as <see cref="IProvisioningStore.WriteAsync"/>.</summary>
    /// <returns>The new ETag.</returns>
    /// <exception cref="StoreConcurrencyException">The document exists (create) or carries another ETag (replace).</exception>
    public string WriteState(string kind, string key, ReadOnlyMemory<byte> data, string? expectedETag)
    {
        StoreLimits.CheckId(kind);
        StoreLimits.CheckId(key);
        StoreLimits.CheckState(data);
        var bytes = data.ToArray();
        var etag = SqliteProvisioningStore.NewETag();
        if (expectedETag is null)
        {
            var created = _session.Command(
                """
                INSERT INTO grain_state (kind, key, etag, data) VALUES ($kind, $key, $etag, $data)
                ON CONFLICT (kind, key) DO NOTHING;
                """,
                ("$kind", kind), ("$key", key), ("$etag", etag), ("$data", bytes)).ExecuteNonQuery();
            return created == 1
                ? etag
                : throw new StoreConcurrencyException(kind, key, $"State '{kind}/{key}' was to be created, but it already exists.");
        }

        var replaced = _session.Command(
            """
            UPDATE grain_state SET etag = $etag, data = $data
            WHERE kind = $kind AND key = $key AND etag = $expected;
            """,
            ("$kind", kind), ("$key", key), ("$etag", etag), ("$data", bytes), ("$expected", expectedETag))
            .ExecuteNonQuery();
        return replaced == 1 ? etag : throw SqliteProvisioningStore.Conflict(_session, kind, key, expectedETag);
    }

    /// <summary>Claims a unique value for an owner, as <see cref="IProvisioningStore.TryClaimAsync"/>.</summary>
    /// <returns>Whether <paramref name="owner"/> holds the claim now.</returns>
    public bool TryClaim(string scope, string value, string owner)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        StoreLimits.CheckId(owner);

        // Insert-if-absent: a row inserted is ours (the common case, one statement). Otherwise read who holds it;
        // only another process can release the claim in between, then the read finds nothing and we try again.
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var inserted = _session.Command(
                "INSERT INTO claims (scope, value, owner) VALUES ($scope, $value, $owner) ON CONFLICT DO NOTHING;",
                ("$scope", scope), ("$value", value), ("$owner", owner)).ExecuteNonQuery();
            if (inserted == 1)
            {
                return true;
            }

            if (SqliteProvisioningStore.ReadOwner(_session, scope, value) is { } holder)
            {
                return string.Equals(holder, owner, StringComparison.Ordinal);
            }
        }

        throw new StoreUnavailableException(
            $"SQLite store '{_databasePath}' could not claim '{scope}/{value}': it was claimed and released " +
            $"{MaxAttempts} times in a row by another process.");
    }

    /// <summary>Appends the tenant's next audit entry, chained to its newest, as <see cref="IProvisioningStore.AppendAuditAsync"/>.</summary>
    /// <returns>The entry written.</returns>
    public AuditEntry AppendAudit(string tenantId, AuditEvent auditEvent)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckAuditEvent(auditEvent);
        var canonical = AuditChain.Normalize(auditEvent);
        var details = canonical.Details is null ? null : JsonSerializer.Serialize(canonical.Details);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (sequence, previousHash) = SqliteProvisioningStore.ReadNewest(_session, tenantId);
            var entry = AuditChain.CreateEntry(tenantId, sequence + 1, previousHash, canonical);
            try
            {
                InsertAudit(entry, details);
                return entry;
            }
            catch (SqliteException e) when (SqliteErrors.IsConstraintViolation(e))
            {
                // Another process appended entry n + 1 first; chain onto it instead.
            }
        }

        throw new StoreUnavailableException(
            $"SQLite store '{_databasePath}' could not append to the audit log of tenant '{tenantId}': " +
            $"{MaxAttempts} attempts in a row lost the race for the next sequence number.");
    }

    /// <summary>Inserts or replaces a device's inventory record, as <see cref="IProvisioningStore.UpsertDeviceAsync"/>.</summary>
    public void UpsertDevice(DeviceRecord device)
    {
        StoreLimits.CheckDevice(device);
        _session.Command(
            $"""
            INSERT INTO devices ({DeviceColumns}, indexed)
            VALUES ($tenant, $device, $state, $firmware, $serial, $notAfter, $compliant, $updated,
                    $group, $tags, $lastSeen, $connected, $links, 1)
            ON CONFLICT (tenant_id, device_id) DO UPDATE SET
                state = excluded.state, firmware = excluded.firmware,
                certificate_serial = excluded.certificate_serial,
                certificate_not_after_ticks = excluded.certificate_not_after_ticks,
                compliant = excluded.compliant, updated_ticks = excluded.updated_ticks,
                group_id = excluded.group_id, tags = excluded.tags,
                last_seen_ticks = excluded.last_seen_ticks, connected = excluded.connected, links = excluded.links, indexed = 1;
            """,
            ("$tenant", device.TenantId), ("$device", device.DeviceId), ("$state", device.State),
            ("$firmware", device.Firmware), ("$serial", device.CertificateSerial),
            ("$notAfter", device.CertificateNotAfter?.UtcTicks), ("$compliant", device.Compliant ? 1 : 0),
            ("$updated", device.UpdatedAt.UtcTicks), ("$group", device.GroupId),
            ("$tags", JsonSerializer.Serialize(device.Tags)), ("$lastSeen", device.LastSeenAt?.UtcTicks),
            ("$connected", device.Connected ? 1 : 0), ("$links", JsonSerializer.Serialize(device.Links))).ExecuteNonQuery();
    }

    private void InsertAudit(AuditEntry entry, string? details)
    {
        var e = entry.Event;
        _session.Command(
            $"""
            INSERT INTO audit ({AuditColumns})
            VALUES ($tenant, $sequence, $action, $subject, $outcome, $digest, $actor, $at, $details, $previous, $hash);
            """,
            ("$tenant", entry.TenantId), ("$sequence", entry.Sequence), ("$action", e.Action),
            ("$subject", e.Subject), ("$outcome", e.Outcome), ("$digest", e.EvidenceDigest), ("$actor", e.Actor),
            ("$at", e.At.UtcTicks), ("$details", details), ("$previous", entry.PreviousHash), ("$hash", entry.Hash))
            .ExecuteNonQuery();
    }
}
