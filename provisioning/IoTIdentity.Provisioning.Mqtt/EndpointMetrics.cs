using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's instruments on meter <see cref="MqttEndpoint.MeterName"/>: refusals by reason
/// (<see cref="MqttRefusals"/>), handled requests by operation and outcome, handler latency, and the connections held.
/// </summary>
internal sealed class EndpointMetrics : IDisposable
{
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _cloneSignals;
    private readonly bool _ownsMeter;

    public EndpointMetrics(IMeterFactory? factory, Func<int>? heldConnections = null)
    {
        _ownsMeter = factory is null;
        Meter = factory?.Create(MqttEndpoint.MeterName) ?? new Meter(MqttEndpoint.MeterName);
        _refusals = Meter.CreateCounter<long>("iotid.mqtt.refusals", description: "Connections, subscriptions and publishes the endpoint refused, by reason");
        _requests = Meter.CreateCounter<long>("iotid.mqtt.requests", description: "Device requests handed to the handler, by operation and outcome");
        _cloneSignals = Meter.CreateCounter<long>("iotid.mqtt.clone_signals", description: "Authenticated CONNECTs refused because the device already held an authenticated session");
        if (heldConnections is not null)
            Meter.CreateObservableUpDownCounter("iotid.mqtt.connections", heldConnections, description: "Device connections the embedded endpoint holds, TLS handshakes in progress included (at most Mqtt:MaxConnections)");
        _duration = Meter.CreateHistogram<double>("iotid.mqtt.request.duration", unit: "ms", description: "Time from accepting a request to publishing its reply");
    }

    /// <summary>The meter (tests listen to this instance only).</summary>
    public Meter Meter { get; }

    public void Refused(string reason) => _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void CloneSignal() => _cloneSignals.Add(1);

    public void Handled(string operation, string outcome, double milliseconds)
    {
        var tags = new TagList { { "op", operation }, { "outcome", outcome } };
        _requests.Add(1, tags);
        _duration.Record(milliseconds, tags);
    }

    public void Dispose()
    {
        if (_ownsMeter) Meter.Dispose();
    }
}
