using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Monitoring;

/// <summary>Hands the embedded endpoint's authenticated session changes to the <see cref="MonitoringFeed"/>, under the certificate's tenant.</summary>
public sealed class SessionMonitoring(MonitoringFeed feed) : IDeviceSessionObserver
{
    /// <inheritdoc/>
    public void Observe(DeviceSessionEvent sessionEvent)
    {
        if (sessionEvent.TenantId is not { } tenantId) return;
        feed.Publish(tenantId, new MonitoredEvent
        {
            Kind = sessionEvent.Change switch
            {
                DeviceSessionChange.Connected => MonitoredEventKind.Connected,
                DeviceSessionChange.Disconnected => MonitoredEventKind.Disconnected,
                _ => MonitoredEventKind.SecondSessionRefused,
            },
            Subject = sessionEvent.DeviceId, At = sessionEvent.At, Address = sessionEvent.Address, SessionId = sessionEvent.SessionId,
        });
    }
}
