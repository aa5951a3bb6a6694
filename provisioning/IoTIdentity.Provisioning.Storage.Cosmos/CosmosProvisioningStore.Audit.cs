using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

public sealed partial class CosmosProvisioningStore
{
    private const int MaxAppendAttempts = 64;

    /// <summary>
    /// Appends to one tenant's log serialize within this process (striped by tenant), so racing appenders here queue
    /// instead of burning requests on conflicts; conflicts then come only from other silos.
    /// </summary>
    private readonly SemaphoreSlim[] _appendGates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>
    /// The entry each tenant's last append through this store wrote: the next append chains onto it without asking the
    /// server for the head (a query that orders the tenant's log) — one request per append instead of two. If another
    /// silo appended meanwhile, the create conflicts on the sequence number and the head is read from the server.
    /// </summary>
    private readonly ConcurrentDictionary<string, AuditHead> _lastAppended = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task<AuditEntry> AppendAuditAsync(string tenantId, AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckAuditEvent(auditEvent);
        cancellationToken.ThrowIfCancellationRequested();
        var canonical = AuditChain.Normalize(auditEvent);
        var pk = new PartitionKey(tenantId);
        var gate = _appendGates[(StringComparer.Ordinal.GetHashCode(tenantId) & int.MaxValue) % _appendGates.Length];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var backoff = 5;
            var remembered = _lastAppended.TryGetValue(tenantId, out var last);
            for (var attempt = 1; attempt <= MaxAppendAttempts; attempt++)
            {
                var head = remembered ? last! : await ReadAuditHeadAsync(tenantId, cancellationToken).ConfigureAwait(false);
                var entry = AuditChain.CreateEntry(tenantId, head.Sequence + 1, head.Hash, canonical);
                using (var created = await SendAsync(_audit, "append to the audit log",
                    () => _audit.CreateItemStreamAsync(Serialize(AuditItem.From(entry)), pk, NoContent(), cancellationToken),
                    cancellationToken).ConfigureAwait(false))
                {
                    if (created.StatusCode == HttpStatusCode.Created)
                    {
                        _lastAppended[tenantId] = new AuditHead(entry.Sequence, entry.Hash);
                        return entry;
                    }

                    if (created.StatusCode != HttpStatusCode.Conflict)
                    {
                        throw Unexpected(_audit, "append to the audit log", created);
                    }
                }

                // Sequence n + 1 exists. If a transient retry made our own first attempt land, it is ours.
                if (await ReadAuditEntryAsync(tenantId, entry.Sequence, cancellationToken).ConfigureAwait(false) is { } existing
                    && existing.Hash == entry.Hash)
                {
                    _lastAppended[tenantId] = new AuditHead(existing.Sequence, existing.Hash);
                    return existing;
                }

                if (remembered)
                {
                    // Another silo appended since our last append: no race to back off from, only a head to read.
                    remembered = false;
                    continue;
                }

                // Another silo appended first: back off with jitter, then chain onto the new head.
                await Task.Delay(Random.Shared.Next(1, backoff + 1), cancellationToken).ConfigureAwait(false);
                backoff = Math.Min(backoff * 2, 200);
            }
        }
        finally
        {
            gate.Release();
        }

        throw new StoreUnavailableException(
            $"{Where(_audit, "append to the audit log")} could not append for tenant '{tenantId}': " +
            $"{MaxAppendAttempts} attempts in a row lost the race for the next sequence number.");
    }

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
    /// A tenant's entries from a sequence number on, all or one subject's: one partition (the tenant); the default
    /// indexing policy indexes every property, subject included.
    /// </summary>
    private async Task<IReadOnlyList<AuditEntry>> ReadAuditRangeAsync(
        string tenantId, string? subject, long fromSequence, int maxCount, CancellationToken cancellationToken)
    {
        StoreLimits.CheckId(tenantId);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSequence, 1);
        StoreLimits.CheckPageSize(maxCount);
        var definition = new QueryDefinition(
            $"SELECT TOP {maxCount.ToString(CultureInfo.InvariantCulture)} * FROM c " +
            $"WHERE c.pk = @pk {(subject is null ? "" : "AND c.subject = @subject ")}AND c.sequence >= @from ORDER BY c.sequence")
            .WithParameter("@pk", tenantId)
            .WithParameter("@from", fromSequence);
        if (subject is not null) definition = definition.WithParameter("@subject", subject);
        var operation = subject is null ? "read the audit log" : "read the audit log by subject";
        var items = await QueryAsync<AuditItem>(_audit, operation, definition, tenantId, maxCount, cancellationToken).ConfigureAwait(false);
        return items.Select(item => item.ToEntry()).ToList();
    }

    /// <inheritdoc/>
    public Task<AuditChainVerification> VerifyAuditChainAsync(string tenantId, CancellationToken cancellationToken = default) =>
        AuditChain.VerifyAsync(this, tenantId, cancellationToken);

    private async Task<AuditHead> ReadAuditHeadAsync(string tenantId, CancellationToken cancellationToken)
    {
        var definition = new QueryDefinition(
            "SELECT TOP 1 c.sequence, c.hash FROM c WHERE c.pk = @pk ORDER BY c.sequence DESC")
            .WithParameter("@pk", tenantId);
        var heads = await QueryAsync<AuditHead>(_audit, "read the audit log's head", definition, tenantId, 1, cancellationToken)
            .ConfigureAwait(false);
        return heads.Count == 0 ? new AuditHead(0, AuditChain.GenesisHash) : heads[0];
    }

    private async Task<AuditEntry?> ReadAuditEntryAsync(string tenantId, long sequence, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(_audit, "read an audit entry",
            () => _audit.ReadItemStreamAsync(CosmosIds.AuditId(sequence), new PartitionKey(tenantId),
                cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => (await DeserializeAsync<AuditItem>(_audit, "read an audit entry", response, cancellationToken)
                .ConfigureAwait(false)).ToEntry(),
            HttpStatusCode.NotFound => null,
            _ => throw Unexpected(_audit, "read an audit entry", response),
        };
    }
}
