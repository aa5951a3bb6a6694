using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;

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
        await foreach (var tenant in AllTenants.ListAsync(grains))
            await grains.GetGrain<IAuditCheckpointGrain>(tenant).CheckpointAsync();
    }

    [LoggerMessage(LogLevel.Warning, "Checkpointing the audit logs failed; trying again at the next interval")]
    private static partial void Failed(ILogger logger, Exception exception);
}
