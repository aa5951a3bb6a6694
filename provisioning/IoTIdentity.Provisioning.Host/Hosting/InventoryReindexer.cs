using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Brings inventory rows written before the inventory carried the group, the tags and presence up to date, so that
/// filtering by group or tag finds every device: the store lists such rows per tenant
/// (<see cref="IProvisioningStore.ListDevicesToReindexAsync"/>), and each device's grain writes its row again from its
/// state. Runs when the service starts, tenant by tenant, a page at a time. A row leaves the list as soon as it is
/// written, so a pass stopped part-way (a store fault, a shutdown) resumes where it stopped — at the next try, a minute
/// later, or at the next start — and a pass over an up-to-date store writes nothing. In a cluster every silo runs it;
/// two silos rewriting the same row write the same thing through the same grain.
/// </summary>
internal sealed partial class InventoryReindexer(IGrainFactory grains, IProvisioningStore store, ILogger<InventoryReindexer> logger) : BackgroundService
{
    private const int Page = 100;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);
    private readonly TaskCompletionSource<ReindexPass> _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the first pass since the start did (completes when it ends, finished or stopped by a fault).</summary>
    public Task<ReindexPass> FirstPass => _firstPass.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var pass = await RunPassAsync(stoppingToken);
            _firstPass.TrySetResult(pass);
            if (pass.Finished) return;
            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    /// <summary>Rows written by the pass under way (one pass runs at a time).</summary>
    private int _rewritten;

    private async Task<ReindexPass> RunPassAsync(CancellationToken stoppingToken)
    {
        _rewritten = 0;
        try
        {
            await foreach (var tenant in AllTenants.ListAsync(grains, stoppingToken))
                await ReindexTenantAsync(tenant, stoppingToken);
            if (_rewritten > 0) Reindexed(logger, _rewritten);
            return new ReindexPass(_rewritten, Finished: true);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return new ReindexPass(_rewritten, Finished: false);
        }
        catch (Exception e)
        {
            Failed(logger, _rewritten, RetryDelay, e);
            return new ReindexPass(_rewritten, Finished: false);
        }
    }

    private async Task ReindexTenantAsync(string tenantId, CancellationToken stoppingToken)
    {
        for (var ids = await store.ListDevicesToReindexAsync(tenantId, Page, stoppingToken); ids.Count > 0;
             ids = await store.ListDevicesToReindexAsync(tenantId, Page, stoppingToken))
        {
            foreach (var deviceId in ids)
            {
                stoppingToken.ThrowIfCancellationRequested();
                if (!await grains.GetGrain<IDeviceGrain>(deviceId).ReindexAsync(tenantId))
                    await KeepAsItIsAsync(tenantId, deviceId, stoppingToken);
                _rewritten++;
            }
        }
    }

    /// <summary>A row the device's state does not vouch for (the device is no longer the tenant's) is written back
    /// unchanged: re-indexing adds nothing to it and removes nothing from the tenant's view, and it leaves the list.</summary>
    private async Task KeepAsItIsAsync(string tenantId, string deviceId, CancellationToken stoppingToken)
    {
        if (await store.GetDeviceAsync(tenantId, deviceId, stoppingToken) is { } row)
            await store.UpsertDeviceAsync(row, stoppingToken);
    }

    [LoggerMessage(LogLevel.Information, "Re-indexed {Count} inventory rows written before the inventory carried groups, tags and presence")]
    private static partial void Reindexed(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "Re-indexing the inventory stopped after {Count} rows; the rest is tried again in {Delay} and at the next start")]
    private static partial void Failed(ILogger logger, int count, TimeSpan delay, Exception exception);
}
