using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>Every tenant id (a single grain, key "all"), for the service administrator's paged list.</summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds a tenant.</summary>
    Task AddAsync(string tenantId);

    /// <summary>Up to <paramref name="count"/> tenant ids in ordinal order, starting after <paramref name="after"/> (null: from the first).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync(string? after, int count);
}
