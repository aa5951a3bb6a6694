using System.Diagnostics.Metrics;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// Monitoring's metrics (meter "IoTIdentity.Monitoring"), exported at /metrics and read by
/// <c>deploy/prometheus/alerts.yml</c>: findings opened, automatic actions taken or capped, webhook deliveries, and
/// events the feed had to drop. The meter comes from the host's <see cref="IMeterFactory"/>, which owns and disposes it.
/// </summary>
public sealed class MonitoringMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "IoTIdentity.Monitoring";

    private readonly Meter _meter;
    private readonly Counter<long> _findings;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _dropped;

    /// <summary>Creates the instruments.</summary>
    public MonitoringMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _findings = _meter.CreateCounter<long>("iotid_findings_opened", description: "Findings opened by kind and severity");
        _actions = _meter.CreateCounter<long>("iotid_remediation_actions", description: "Automatic remediation by kind and action (capped: the cap turned it into an alert)");
        _deliveries = _meter.CreateCounter<long>("iotid_webhook_deliveries", description: "Webhook deliveries by outcome (delivered, failed)");
        _dropped = _meter.CreateCounter<long>("iotid_monitoring_events_dropped", description: "Events the monitoring feed dropped because its queue was full");
    }

    /// <summary>A finding was opened.</summary>
    public void Opened(FindingKind kind, FindingSeverity severity) =>
        _findings.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()), new("severity", severity.ToString()));

    /// <summary>An automatic action was taken (or <c>capped</c>).</summary>
    public void Acted(FindingKind kind, string action) =>
        _actions.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()), new("action", action));

    /// <summary>A delivery ended.</summary>
    public void Delivered(bool delivered) => _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", delivered ? "delivered" : "failed"));

    /// <summary>An event was dropped.</summary>
    public void Dropped() => _dropped.Add(1);
}
