using System.Diagnostics.Metrics;
using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// The service's enrolment metrics (meter "IoTIdentity.Provisioning", from the host's <see cref="IMeterFactory"/>, which
/// owns and disposes it), exported at /metrics.
/// </summary>
public sealed class ProvisioningMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "IoTIdentity.Provisioning";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _issued;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _latency;

    /// <summary>Creates the instruments.</summary>
    public ProvisioningMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("iotid_requests", description: "Device protocol requests by operation");
        _refusals = _meter.CreateCounter<long>("iotid_refusals", description: "Refused device requests by operation and reason");
        _issued = _meter.CreateCounter<long>("iotid_certificates_issued", description: "Device certificates issued by mode");
        _tokens = _meter.CreateCounter<long>("iotid_tokens_issued", description: "Device tokens issued (refusals: iotid_refusals with op=token)");
        _latency = _meter.CreateHistogram<double>("iotid_request_duration_ms", "ms", "Time to handle a device request in the grain");
    }

    /// <summary>Records one handled request.</summary>
    public void Handled(string operation, ProvisioningError? error, double milliseconds)
    {
        var op = new KeyValuePair<string, object?>("op", operation);
        _requests.Add(1, op);
        _latency.Record(milliseconds, op, new("outcome", error is null ? "ok" : "refused"));
        if (error is { } e) _refusals.Add(1, op, new("reason", e.ToString()));
    }

    /// <summary>Records an issuance.</summary>
    public void Issued(string mode) => _issued.Add(1, new KeyValuePair<string, object?>("mode", mode));

    /// <summary>Records a device token issued.</summary>
    public void TokenIssued() => _tokens.Add(1);
}
