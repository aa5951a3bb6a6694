using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>The tenant list.</summary>
public sealed class TenantDirectoryGrain(
    [PersistentState("tenants", ProvisioningStorage.Name)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    /// <summary>The single directory's key.</summary>
    public const string Key = "all";

    public async Task AddAsync(string tenantId)
    {
        var at = state.State.TenantIds.BinarySearch(tenantId, StringComparer.Ordinal);
        if (at >= 0) return;
        state.State = state.State with { TenantIds = state.State.TenantIds.Insert(~at, tenantId) };
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListAsync(string? after, int count) => Task.FromResult<IReadOnlyList<string>>(
        state.State.TenantIds.SkipWhile(id => after is not null && string.CompareOrdinal(id, after) <= 0).Take(count).ToList());
}
