using System.Collections.Immutable;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>
/// One tenant's monitoring (key = tenantId): its detectors read the tenant's event stream, open and count findings,
/// apply the remediation policy, and queue webhook deliveries.
/// </summary>
public interface IMonitorGrain : IGrainWithStringKey
{
    /// <summary>Reads a batch of the tenant's events (in the order they happened).</summary>
    Task ObserveAsync(ImmutableArray<MonitoredEvent> events);

    /// <summary>Looks over the inventory for stale devices and certificates about to expire.</summary>
    Task SweepAsync();

    /// <summary>The findings, newest first, optionally only those in <paramref name="state"/> or of <paramref name="kind"/>.</summary>
    [ReadOnly]
    Task<ImmutableList<Finding>> ListFindingsAsync(FindingState? state = null, FindingKind? kind = null);

    [ReadOnly]
    Task<Finding?> GetFindingAsync(string findingId);

    /// <summary>Acknowledges or resolves a finding (audited); null if there is no such finding.</summary>
    Task<Finding?> SetFindingStateAsync(string findingId, FindingState state, string actor);

    [ReadOnly]
    Task<MonitoringPolicy> GetPolicyAsync();

    /// <summary>Replaces the policy (audited with the change); returns the stored one (its version raised).</summary>
    Task<MonitoringPolicy> SetPolicyAsync(MonitoringPolicy policy, string actor);

    [ReadOnly]
    Task<ImmutableList<WebhookEndpoint>> ListWebhooksAsync();

    /// <summary>Adds or replaces a webhook endpoint (audited, without its secret).</summary>
    Task PutWebhookAsync(WebhookEndpoint endpoint, string actor);

    /// <summary>Removes a webhook endpoint; false if there was none.</summary>
    Task<bool> DeleteWebhookAsync(string endpointId, string actor);

    /// <summary>Records how a delivery ended (the delivery log keeps the most recent).</summary>
    Task RecordDeliveryAsync(WebhookDelivery delivery);

    /// <summary>The delivery log, newest first.</summary>
    [ReadOnly]
    Task<ImmutableList<WebhookDelivery>> ListDeliveriesAsync();
}
