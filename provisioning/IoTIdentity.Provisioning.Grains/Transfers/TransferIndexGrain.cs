using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Transfers;

/// <summary>The list of one tenant's transfers, for the paged transfer list.</summary>
public sealed class TransferIndexGrain(
    [PersistentState("transfers", ProvisioningStorage.Name)] IPersistentState<TransferIndexState> state) : Grain, ITransferIndexGrain
{
    public async Task AddAsync(TransferIndexEntry entry)
    {
        if (state.State.Entries.Any(e => e.TransferId == entry.TransferId)) return;
        state.State = new TransferIndexState { Entries = state.State.Entries.Add(entry) };
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<TransferIndexEntry>> ListAsync() => Task.FromResult<IReadOnlyList<TransferIndexEntry>>(state.State.Entries);
}
