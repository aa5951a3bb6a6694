using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// One page over a tenant's sixteen sorted device-id shards (<see cref="IndividualEnrollmentIndex"/>,
/// <see cref="OwnershipVoucherIndex"/>), in device id order after a cursor: the shards are read in digit order, and each
/// batch of ids becomes views through the caller (which drops ids whose record is gone).
/// </summary>
public static class DeviceIdShards
{
    public static async Task<Page<T>> PageAsync<T>(Func<char, IIndividualEnrollmentIndexGrain> shardOf, string? after, int pageSize,
        Func<IReadOnlyList<string>, Task<IEnumerable<T>>> viewsOf, Func<T, string> idOf)
    {
        var views = new List<T>(pageSize);
        var cursor = after;
        foreach (var digit in IndividualEnrollmentIndex.Shards.Where(d => after is null || d >= after[0]))
        {
            var shard = shardOf(digit);
            while (views.Count < pageSize)
            {
                var ids = await shard.ListAsync(cursor is not null && cursor[0] == digit ? cursor : null, pageSize - views.Count);
                if (ids.Count == 0) break;
                views.AddRange(await viewsOf(ids));
                cursor = ids[^1];
            }
            if (views.Count == pageSize) break;
        }
        return Paging.Of(views, pageSize, idOf);
    }
}
