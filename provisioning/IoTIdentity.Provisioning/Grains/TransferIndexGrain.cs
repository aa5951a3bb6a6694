using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains;

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

/// <summary>The durable state of a tenant's transfer index.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferIndexState
{
    [Id(0)] public ImmutableList<TransferIndexEntry> Entries { get; init; } = [];
}
