using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// One tenant's monitoring: the <see cref="Detectors"/> read the tenant's events as they arrive and the
/// <see cref="InventorySweep"/> its inventory when asked; every detection is filed (<see cref="FindingBook"/>); a
/// newly opened finding (or a device newly added to one) gets the policy's remediation (<see cref="Remediator"/>),
/// and a newly opened one is sent to the tenant's webhooks. Operator changes (finding state, policy, webhooks) are
/// audited.
/// </summary>
public sealed class MonitorGrain(
    [PersistentState("monitor", ProvisioningStorage.Name)] IPersistentState<MonitorState> state,
    InventorySweep sweep,
    Remediator remediator,
    WebhookDispatcher webhooks,
    AuditTrail audit,
    MonitoringMetrics metrics,
    TimeProvider clock,
    ILogger<MonitorGrain> logger) : Grain, IMonitorGrain
{
    private readonly Detectors _detectors = new();

    private string TenantId => this.GetPrimaryKeyString();

    public async Task ObserveAsync(ImmutableArray<MonitoredEvent> events)
    {
        var detections = events.SelectMany(e => _detectors.Read(e, state.State.Policy)).ToList();
        if (detections.Count > 0) await FileAsync(detections);
    }

    public async Task SweepAsync()
    {
        var detections = await sweep.SweepAsync(TenantId, state.State.Policy, clock.GetUtcNow());
        if (detections.Count > 0) await FileAsync(detections);
    }

    private async Task FileAsync(List<Detection> detections)
    {
        var opened = new List<Finding>();
        var toRemediate = new List<(Finding Finding, ImmutableList<string> Devices)>();
        var s = state.State;
        foreach (var detection in detections)
        {
            (s, var finding, var isNew, var added) = FindingBook.File(s, detection);
            if (isNew)
            {
                opened.Add(finding);
                metrics.Opened(finding.Kind, finding.Severity);
                MonitoringLog.Opened(logger, finding.Id, finding.Kind, finding.Severity, TenantId, finding.Key);
            }
            if (!added.IsEmpty) toRemediate.Add((finding, added));
        }
        state.State = s;
        await state.WriteStateAsync();

        foreach (var (finding, devices) in toRemediate)
        {
            var (next, remediation) = await remediator.ApplyAsync(TenantId, state.State, finding, devices);
            var current = next.Findings.Single(f => f.Id == finding.Id);
            state.State = FindingBook.Replace(next, current with { Remediation = MergeRemediation(current.Remediation, remediation) });
        }
        if (toRemediate.Count > 0) await state.WriteStateAsync();

        foreach (var finding in opened)
        {
            var now = state.State.Findings.Single(f => f.Id == finding.Id);
            foreach (var endpoint in state.State.Webhooks.Where(w => now.Severity >= w.MinimumSeverity))
                webhooks.Enqueue(TenantId, endpoint, WebhookPayload.Opened(TenantId, now));
        }
    }

    /// <summary>A stronger action replaces a weaker one in what the finding shows (revoke over quarantine over capped over alert).</summary>
    private static string MergeRemediation(string before, string now) =>
        Array.IndexOf(Remediator.Strength, now) > Array.IndexOf(Remediator.Strength, before) ? now : before;

    public Task<ImmutableList<Finding>> ListFindingsAsync(FindingState? findingState = null, FindingKind? kind = null) =>
        Task.FromResult(state.State.Findings.Reverse()
            .Where(f => (findingState is null || f.State == findingState) && (kind is null || f.Kind == kind)).ToImmutableList());

    public Task<Finding?> GetFindingAsync(string findingId) => Task.FromResult(state.State.Findings.FirstOrDefault(f => f.Id == findingId));

    public async Task<Finding?> SetFindingStateAsync(string findingId, FindingState findingState, string actor)
    {
        if (state.State.Findings.FirstOrDefault(f => f.Id == findingId) is not { } finding) return null;
        if (finding.State == findingState) return finding;
        var changed = finding with { State = findingState, StateChangedBy = actor, StateChangedAt = clock.GetUtcNow() };
        state.State = FindingBook.Replace(state.State, changed);
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.Finding, findingId, findingState.ToString().ToLowerInvariant(), [], actor,
            new Dictionary<string, string> { ["kind"] = finding.Kind.ToString(), ["from"] = finding.State.ToString().ToLowerInvariant() });
        return changed;
    }

    public Task<MonitoringPolicy> GetPolicyAsync() => Task.FromResult(state.State.Policy);

    public async Task<MonitoringPolicy> SetPolicyAsync(MonitoringPolicy policy, string actor)
    {
        var stored = policy with { Version = state.State.Policy.Version + 1 };
        state.State = state.State with { Policy = stored };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.MonitoringPolicy, TenantId, "changed", [], actor, MonitoringPolicyAudit.Describe(stored));
        return stored;
    }

    public Task<ImmutableList<WebhookEndpoint>> ListWebhooksAsync() => Task.FromResult(state.State.Webhooks);

    public async Task PutWebhookAsync(WebhookEndpoint endpoint, string actor)
    {
        var others = state.State.Webhooks.RemoveAll(w => w.Id == endpoint.Id);
        state.State = state.State with { Webhooks = others.Add(endpoint) };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.Webhook, endpoint.Id, "set", [], actor,
            new Dictionary<string, string> { ["url"] = endpoint.Url.ToString(), ["minimum-severity"] = endpoint.MinimumSeverity.ToString() });
    }

    public async Task<bool> DeleteWebhookAsync(string endpointId, string actor)
    {
        var others = state.State.Webhooks.RemoveAll(w => w.Id == endpointId);
        if (others.Count == state.State.Webhooks.Count) return false;
        state.State = state.State with { Webhooks = others };
        await state.WriteStateAsync();
        await audit.RecordAsync(TenantId, AuditActions.Webhook, endpointId, "deleted", [], actor);
        return true;
    }

    public async Task RecordDeliveryAsync(WebhookDelivery delivery)
    {
        var log = state.State.Deliveries.Add(delivery);
        if (log.Count > MonitorState.MaxDeliveries) log = log.RemoveRange(0, log.Count - MonitorState.MaxDeliveries);
        state.State = state.State with { Deliveries = log };
        await state.WriteStateAsync();
    }

    public Task<ImmutableList<WebhookDelivery>> ListDeliveriesAsync() => Task.FromResult(state.State.Deliveries.Reverse().ToImmutableList());
}
