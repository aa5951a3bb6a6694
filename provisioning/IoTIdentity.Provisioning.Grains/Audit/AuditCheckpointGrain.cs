using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains.Audit;

/// <summary>
/// Signs a tenant's audit head. It reads the head it signed last and what was appended since, and signs a new head only
/// when the signed entry is still there with its hash and the entries after it chain on from it (every link and hash
/// checked), so a store rewritten or cut back under it gets no checkpoint vouching for the change.
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
        // from the signed entry itself (its own link is covered by the hash signed): a log cut back below it is seen
        // even when nothing was appended since
        var verifier = last is null or { Size: 0 } ? new AuditChainVerifier(TenantId)
            : new AuditChainVerifier(TenantId, last.Size, previousHash: null, last.Size, last.HeadHash);
        // the pages are read and checked off this activation's turns: a long log holds no pool thread for long
        var verification = await AuditChain.VerifyAsync(store, verifier);
        if (!verification.IsValid)
        {
            var broken = $"entry {verification.FirstBrokenSequence} does not chain on from the checkpoint of {last?.Size ?? 0} entries signed before: {verification.Reason}";
            CannotCheckpoint(logger, TenantId, broken);
            return new AuditCheckpointOutcome(last, broken);
        }
        var size = verifier.LastSequence;
        if (last is not null && last.Size == size) return new AuditCheckpointOutcome(last, null);
        var head = verifier.HeadHash ?? AuditChain.GenesisHash;

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
