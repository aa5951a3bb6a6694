using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// Delivers the <see cref="MonitoringFeed"/> to the tenants' <see cref="IMonitorGrain"/>s: whatever has queued up is
/// taken at once, split by tenant (order kept within a tenant), and handed to each tenant's grain in one call. Every
/// <see cref="MonitoringOptions.SweepInterval"/> it asks every tenant's grain to sweep its inventory.
/// </summary>
public sealed class MonitoringPump(MonitoringFeed feed, IGrainFactory grains, IOptions<MonitoringOptions> options, TimeProvider clock,
    ILogger<MonitoringPump> logger) : BackgroundService
{
    private const int MaxBatch = 2_000;

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(DeliverAsync(stoppingToken), SweepAsync(stoppingToken));

    private async Task DeliverAsync(CancellationToken stoppingToken)
    {
        var reader = feed.Reader;
        var batch = new List<MonitoringFeed.TenantEvent>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var item)) batch.Add(item);
                await Task.WhenAll(batch.GroupBy(e => e.TenantId).Select(tenant => ObserveAsync(tenant.Key, [.. tenant.Select(e => e.Event)])));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ObserveAsync(string tenantId, ImmutableArray<MonitoredEvent> events)
    {
        try
        {
            await grains.GetGrain<IMonitorGrain>(tenantId).ObserveAsync(events);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // the pump outlives one tenant's failure; the events are in the audit log, which stays the record
            MonitoringLog.ObserveFailed(logger, e, tenantId, events.Length);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                string? after = null;
                while (true)
                {
                    var tenants = await grains.GetGrain<ITenantDirectoryGrain>("all").ListAsync(after, 100);
                    foreach (var tenantId in tenants) await SweepTenantAsync(tenantId);
                    if (tenants.Count < 100) break;
                    after = tenants[^1];
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepTenantAsync(string tenantId)
    {
        try
        {
            await grains.GetGrain<IMonitorGrain>(tenantId).SweepAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MonitoringLog.SweepFailed(logger, e, tenantId);
        }
    }
}
