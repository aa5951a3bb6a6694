using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains.Audit;

/// <summary>
/// Signs a tenant's audit head. It reads only what was appended since its last checkpoint, and signs a new head only
/// when those entries chain on from the head it signed before (every link and hash checked), so a store rewritten
/// under it gets no checkpoint vouching for the rewrite.
/// </summary>
public sealed partial class AuditCheckpointGrain(
    [PersistentState("audit-checkpoints", ProvisioningStorage.Name)] IPersistentState<AuditCheckpointState> state,
    IProvisioningStore store,
    AuditCheckpointSigner signer,
    TimeProvider clock,
    ILogger<AuditCheckpointGrain> logger) : Grain, IAuditCheckpointGrain
{
    /// <summary>How many checkpoints are kept per tenant (the oldest go first).</summary>
    public const int Kept = 1000;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<AuditCheckpointOutcome> CheckpointAsync()
    {
        var last = state.State.Checkpoints.LastOrDefault();
        var size = last?.Size ?? 0;
        var head = last?.HeadHash ?? AuditChain.GenesisHash;
        while (true)
        {
            var page = await store.ReadAuditAsync(TenantId, size + 1, StoreLimits.MaxPageSize);
            foreach (var entry in page)
            {
                if (entry.Sequence != size + 1 || entry.PreviousHash != head
                    || AuditChain.ComputeHash(entry.TenantId, entry.Sequence, entry.PreviousHash, entry.Event) != entry.Hash)
                {
                    var broken = $"entry {size + 1} does not chain on from the checkpoint of {size} entries signed before";
                    CannotCheckpoint(logger, TenantId, broken);
                    return new AuditCheckpointOutcome(last, broken);
                }
                size = entry.Sequence;
                head = entry.Hash;
            }
            if (page.Count < StoreLimits.MaxPageSize) break;
        }
        if (last is not null && last.Size == size) return new AuditCheckpointOutcome(last, null);

        var checkpoint = signer.Sign(TenantId, size, head, clock.GetUtcNow());
        var kept = state.State.Checkpoints.Add(checkpoint);
        state.State = state.State with { Checkpoints = kept.Count > Kept ? kept.RemoveRange(0, kept.Count - Kept) : kept };
        await state.WriteStateAsync();
        return new AuditCheckpointOutcome(checkpoint, null);
    }

    public Task<AuditCheckpointRecord?> GetAtAsync(DateTimeOffset at) =>
        Task.FromResult(state.State.Checkpoints.LastOrDefault(c => c.At <= at));

    [LoggerMessage(LogLevel.Error, "The audit log of {TenantId} cannot be checkpointed: {Reason}")]
    private static partial void CannotCheckpoint(ILogger logger, string tenantId, string reason);
}
