using System.Runtime.CompilerServices;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Tenants;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>Every tenant id in the directory, read a page at a time (for the service-wide jobs that visit each tenant).</summary>
public static class AllTenants
{
    private const int Page = 200;

    /// <summary>Every tenant id, in ordinal order.</summary>
    public static async IAsyncEnumerable<string> ListAsync(IGrainFactory grains, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.Key);
        for (string? after = null; ;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await directory.ListAsync(after, Page);
            foreach (var tenant in page) yield return tenant;
            if (page.Count < Page) yield break;
            after = page[^1];
        }
    }
}
