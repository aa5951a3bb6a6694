using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <content>
/// The audit log: the <c>audit</c> table, keyed (tenant_id, sequence), with triggers refusing UPDATE and DELETE.
/// An append reads the tenant's newest entry, builds entry n + 1 with <see cref="AuditChain"/>, and inserts it; the
/// primary key makes the insert conditional, and a lost race (only possible against another process, since this
/// process appends through one writer) re-reads the newest entry and tries again.
/// </content>
public sealed partial class SqliteProvisioningStore
{
    private const string AuditColumns = SqliteWriteBatch.AuditColumns;

    /// <inheritdoc/>
    public Task<AuditEntry> AppendAuditAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default) =>
        WithBatchAsync("append to the audit log", batch => batch.AppendAudit(tenantId, auditEvent), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(
        string tenantId, long fromSequence, int maxCount, CancellationToken cancellationToken = default) =>
        ReadAuditRangeAsync(tenantId, null, fromSequence, maxCount, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<AuditEntry>> ReadAuditBySubjectAsync(
        string tenantId, string subject, long fromSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(subject);
        return ReadAuditRangeAsync(tenantId, subject, fromSequence, maxCount, cancellationToken);
    }

    /// <summary>
    /// A tenant's entries from a sequence number on, all or one subject's. A subject's are read through the
    /// audit_by_subject index by name: without statistics SQLite's planner prefers the primary key for the
    /// <c>ORDER BY sequence</c> and scans the tenant's whole log (0.5 s at 10,000 devices instead of 0.1 ms).
    /// </summary>
    private async Task<IReadOnlyList<AuditEntry>> ReadAuditRangeAsync(
        string tenantId, string? subject, long fromSequence, int maxCount, CancellationToken cancellationToken)
    {
        StoreLimits.CheckId(tenantId);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSequence, 1);
        StoreLimits.CheckPageSize(maxCount);
        return await WithReaderAsync<IReadOnlyList<AuditEntry>>(subject is null ? "read the audit log" : "read the audit log by subject", session =>
        {
            (string, object?)[] parameters = subject is null
                ? [("$tenant", tenantId), ("$from", fromSequence), ("$limit", maxCount)]
                : [("$tenant", tenantId), ("$from", fromSequence), ("$limit", maxCount), ("$subject", subject)];
            using var reader = session.Command(
                $"""
                SELECT {AuditColumns} FROM audit {(subject is null ? "" : "INDEXED BY audit_by_subject ")}WHERE tenant_id = $tenant {(subject is null ? "" : "AND subject = $subject ")}AND sequence >= $from
                ORDER BY sequence LIMIT $limit;
                """,
                parameters).ExecuteReader();
            var entries = new List<AuditEntry>();
            while (reader.Read())
            {
                entries.Add(ReadEntry(reader));
            }

            return entries;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<AuditChainVerification> VerifyAuditChainAsync(string tenantId, CancellationToken cancellationToken = default) =>
        AuditChain.VerifyAsync(this, tenantId, cancellationToken);

    internal static (long Sequence, string Hash) ReadNewest(SqliteSession session, string tenantId)
    {
        using var reader = session.Command(
            "SELECT sequence, hash FROM audit WHERE tenant_id = $tenant ORDER BY sequence DESC LIMIT 1;",
            ("$tenant", tenantId)).ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0, AuditChain.GenesisHash);
    }

    private static AuditEntry ReadEntry(SqliteDataReader reader)
    {
        IReadOnlyDictionary<string, string>? details = null;
        if (!reader.IsDBNull(8))
        {
            try
            {
                var stored = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8)) ?? [];
                details = new SortedDictionary<string, string>(stored, StringComparer.Ordinal);
            }
            catch (JsonException e)
            {
                throw new StoreUnavailableException(
                    $"Audit entry {reader.GetInt64(1)} of tenant '{reader.GetString(0)}' is unreadable: its details " +
                    "are not a JSON object of strings. The database was altered outside the service.", e);
            }
        }

        var auditEvent = new AuditEvent
        {
            Action = reader.GetString(2),
            Subject = reader.GetString(3),
            Outcome = reader.GetString(4),
            EvidenceDigest = reader.IsDBNull(5) ? null : reader.GetString(5),
            Actor = reader.GetString(6),
            At = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
            Details = details,
        };
        return new AuditEntry(reader.GetString(0), reader.GetInt64(1), auditEvent, reader.GetString(9), reader.GetString(10));
    }
}
