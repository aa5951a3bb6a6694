using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Listens to one counter of one service's MQTT side (meter <see cref="MqttEndpoint.MeterName"/>, from that host's
/// <see cref="IMeterFactory"/>, so other services in the same test process are not counted), summed by one tag:
/// <see cref="Refusals"/> by <c>reason</c>, <see cref="Requests"/> by <c>outcome</c>.
/// </summary>
public sealed class EndpointCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    private EndpointCounter(ServiceFixture service, string instrumentName, string tag)
    {
        var factory = service.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == instrumentName && instrument.Meter.Name == MqttEndpoint.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var t in tags)
                if (t.Key == tag && t.Value is string key) _counts.AddOrUpdate(key, value, (_, n) => n + value);
        });
        _listener.Start();
    }

    /// <summary><c>iotid.mqtt.refusals</c> by <see cref="MqttRefusals"/> reason.</summary>
    public static EndpointCounter Refusals(ServiceFixture service) => new(service, "iotid.mqtt.refusals", "reason");

    /// <summary><c>iotid.mqtt.requests</c> (requests the handler answered) by outcome (<c>ok</c> or the error).</summary>
    public static EndpointCounter Requests(ServiceFixture service) => new(service, "iotid.mqtt.requests", "outcome");

    /// <summary>Measurements with this tag value since the counter was created.</summary>
    public long this[string key] => _counts.GetValueOrDefault(key);

    /// <summary>All measurements since the counter was created.</summary>
    public long Total => _counts.Values.Sum();

    public void Dispose() => _listener.Dispose();
}
