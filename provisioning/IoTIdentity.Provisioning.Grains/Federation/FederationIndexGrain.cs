using IoTIdentity.Provisioning.Abstractions.Federation;

namespace IoTIdentity.Provisioning.Grains.Federation;

/// <summary>The tenants with an external federation, kept by their federation grains; written only when it changes.</summary>
public sealed class FederationIndexGrain(
    [PersistentState("federation-index", ProvisioningStorage.Name)] IPersistentState<FederationIndexState> state) : Grain, IFederationIndexGrain
{
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Tenants.ToList());

    public Task AddAsync(string tenantId) =>
        state.State.Tenants.Contains(tenantId)
            ? Task.CompletedTask
            : WriteAsync(state.State with { Tenants = state.State.Tenants.Add(tenantId).Sort(StringComparer.Ordinal) });

    public Task RemoveAsync(string tenantId) =>
        state.State.Tenants.Contains(tenantId) ? WriteAsync(state.State with { Tenants = state.State.Tenants.Remove(tenantId) }) : Task.CompletedTask;

    public Task<bool> IsBackfilledAsync() => Task.FromResult(state.State.Backfilled);

    public Task MarkBackfilledAsync() => state.State.Backfilled ? Task.CompletedTask : WriteAsync(state.State with { Backfilled = true });

    private async Task WriteAsync(FederationIndexState next)
    {
        state.State = next;
        await state.WriteStateAsync();
    }
}
