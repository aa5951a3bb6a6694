using IoTIdentity.Provisioning.Abstractions.Federation;
using IoTIdentity.Provisioning.Host.Api;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Refreshes external trust bundles in the background: every <see cref="BundleFetchOptions.RefreshScanInterval"/> (on
/// the service's clock) it fetches the relationships that are due (<see cref="BundleRefresher.RefreshDueAsync"/>). Every
/// silo runs it; a relationship is claimed before it is fetched, so it is fetched once. At the first start it adds the
/// tenants that federated before the index of tenants with external relationships existed.
/// </summary>
internal sealed partial class BundleRefreshService(IGrainFactory grains, BundleRefresher refresher, TimeProvider clock, ILogger<BundleRefreshService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(refresher.Options.RefreshScanInterval, clock, stoppingToken);
                await BackfillIndexAsync(stoppingToken);
                await refresher.RefreshDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failed(logger, e);
            }
        }
    }

    private async Task BackfillIndexAsync(CancellationToken cancellationToken)
    {
        var index = grains.GetGrain<IFederationIndexGrain>(IFederationIndexGrain.Key);
        if (await index.IsBackfilledAsync()) return;
        await foreach (var tenant in AllTenants.ListAsync(grains, cancellationToken))
            if ((await grains.GetGrain<IFederationGrain>(tenant).ListAsync()).Any(r => r.BundleUrl is not null))
                await index.AddAsync(tenant);
        await index.MarkBackfilledAsync();
    }

    [LoggerMessage(LogLevel.Warning, "Refreshing external trust bundles failed; trying again at the next scan")]
    private static partial void Failed(ILogger logger, Exception exception);
}
