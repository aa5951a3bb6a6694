using System.Collections.Immutable;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>Every tenant id (a single grain, key "all"), for the service administrator's paged list.</summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds a tenant.</summary>
    Task AddAsync(string tenantId);

    /// <summary>Up to <paramref name="count"/> tenant ids in ordinal order, starting after <paramref name="after"/> (null: from the first).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync(string? after, int count);
}

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

/// <summary>The durable state of the tenant directory.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantDirectoryState
{
    /// <summary>Kept in ordinal order.</summary>
    [Id(0)] public ImmutableList<string> TenantIds { get; init; } = [];
}
