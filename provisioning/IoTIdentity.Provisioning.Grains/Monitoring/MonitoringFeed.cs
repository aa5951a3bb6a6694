using System.Threading.Channels;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// The silo's event stream into monitoring: writers (the audit trail, the MQTT endpoint) hand an event over without
/// waiting, and <see cref="MonitoringPump"/> delivers them in batches to each tenant's <see cref="IMonitorGrain"/>.
/// The queue is bounded; when it is full an event is dropped and counted rather than slowing enrolment down.
/// Events of no tenant (the unassigned log) are not monitored.
/// </summary>
public sealed class MonitoringFeed
{
    /// <summary>How many events may wait.</summary>
    public const int Capacity = 50_000;

    private readonly Channel<TenantEvent> _queue;

    /// <summary>Creates the queue.</summary>
    public MonitoringFeed(MonitoringMetrics metrics) =>
        _queue = Channel.CreateBounded<TenantEvent>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
        }, _ => metrics.Dropped());

    /// <summary>Hands <paramref name="monitored"/> of <paramref name="tenantId"/> over; never waits.</summary>
    public void Publish(string tenantId, MonitoredEvent monitored)
    {
        if (tenantId == AuditTrail.Unassigned) return;
        _queue.Writer.TryWrite(new TenantEvent(tenantId, monitored));
    }

    internal ChannelReader<TenantEvent> Reader => _queue.Reader;

    /// <summary>One queued event and its tenant.</summary>
    internal sealed record TenantEvent(string TenantId, MonitoredEvent Event);
}
