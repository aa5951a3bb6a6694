using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Tenants;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Checkpoints every tenant's audit log (and the unassigned one) every <c>Provisioning:AuditSigning:CheckpointInterval</c>
/// (5 minutes unless set). A log that did not move gets no new checkpoint; in a cluster every silo runs this and the
/// tenant's checkpoint grain makes at most one per change.
/// </summary>
internal sealed partial class AuditCheckpointer(IGrainFactory grains, IConfiguration configuration, ILogger<AuditCheckpointer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue<TimeSpan?>(AuditCheckpointKeyFile.Section + ":CheckpointInterval") ?? TimeSpan.FromMinutes(5);
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAllAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed(logger, e);
            }
        }
    }

    private async Task CheckpointAllAsync()
    {
        await grains.GetGrain<IAuditCheckpointGrain>(AuditTrail.Unassigned).CheckpointAsync();
        var directory = grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.Key);
        for (string? after = null; ;)
        {
            var tenants = await directory.ListAsync(after, 200);
            foreach (var tenant in tenants) await grains.GetGrain<IAuditCheckpointGrain>(tenant).CheckpointAsync();
            if (tenants.Count < 200) return;
            after = tenants[^1];
        }
    }

    [LoggerMessage(LogLevel.Warning, "Checkpointing the audit logs failed; trying again at the next interval")]
    private static partial void Failed(ILogger logger, Exception exception);
}
