using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Listens to the <c>iotid.mqtt.refusals</c> counter of one service's MQTT endpoint (its meter comes from that
/// host's <see cref="IMeterFactory"/>, so other services in the same test process are not counted).
/// </summary>
public sealed class EndpointRefusalCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public EndpointRefusalCounter(ServiceFixture service)
    {
        var factory = service.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: "iotid.mqtt.refusals", Meter.Name: MqttEndpoint.MeterName } && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "reason", Value: string reason }) _counts.AddOrUpdate(reason, value, (_, n) => n + value);
        });
        _listener.Start();
    }

    /// <summary>Refusals counted with this <see cref="MqttRefusals"/> reason since the counter was created.</summary>
    public long this[string reason] => _counts.GetValueOrDefault(reason);

    public void Dispose() => _listener.Dispose();
}
