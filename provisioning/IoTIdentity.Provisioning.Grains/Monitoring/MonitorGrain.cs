using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// One tenant's monitoring: the <see cref="Detectors"/> read the tenant's events as they arrive and the
/// <see cref="InventorySweep"/> its inventory when asked; every detection is filed (<see cref="FindingBook"/>); a
/// newly opened finding (or a device newly added to one) gets the policy's remediation (<see cref="Remediator"/>),
/// and a newly opened one is sent to the tenant's webhooks. Operator changes (finding state, policy, webhooks) are
/// audited.
/// A detection that only refreshes an open finding (its count, last seen, evidence and audit links; no device added)
/// is written within <see cref="RefreshWriteDelay"/>, together with any others in that time, instead of one whole-state
/// write per event: during a burst every enrolment refreshes the burst finding, and the state holds every finding. Any
/// other change is written before its call returns, and writes the pending refreshes with it; a grain that deactivates
/// writes them first. A crash loses at most that delay's refreshes, each of which the audit log still holds.
/// </summary>
public sealed class MonitorGrain(
    [PersistentState("monitor", ProvisioningStorage.Name)] IPersistentState<MonitorState> state,
    InventorySweep sweep,
    Remediator remediator,
    WebhookDispatcher webhooks,
    AuditTrail audit,
    MonitoringMetrics metrics,
    IDeviceSessions devices,
    IOptions<MonitoringOptions> options,
    TimeProvider clock,
    ILogger<MonitorGrain> logger) : Grain, IMonitorGrain
{
    /// <summary>How long a finding's refresh may wait to be written (see the type).</summary>
    public static readonly TimeSpan RefreshWriteDelay = TimeSpan.FromSeconds(1);

    private readonly Detectors _detectors = new(options.Value.ConcurrentSessionGrace);
    private IGrainTimer? _refreshTimer;
    private IGrainTimer? _judgementTimer;
    private bool _refreshPending;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task ObserveAsync(ImmutableArray<MonitoredEvent> events)
    {
        // the detections are read against the state before this batch is filed: a finding that lists all its devices
        // then still does (filing only adds devices, and nothing else runs on this grain in between)
        var before = state.State;
        var detections = events.SelectMany(e => _detectors.Read(e, before.Policy, (kind, key) => FindingBook.ListsAllDevices(before, kind, key))).ToList();
        if (detections.Count > 0) await FileAsync(detections);
        if (_detectors.TakeDevicesToAsk() is { Count: > 0 } suspected)
        {
            // the answers are not needed, only the questions: a silo slow to answer must not hold the tenant's events up
            foreach (var device in suspected) _ = LiveSessionsAsync(device, askLiveness: true);
            ScheduleJudgement();
        }
    }

    /// <summary>
    /// The device's authenticated sessions live on the silos now (null when that cannot be told); with
    /// <paramref name="askLiveness"/>, each is also asked whether its peer is still there.
    /// </summary>
    private async Task<IReadOnlyList<string>?> LiveSessionsAsync(string deviceId, bool askLiveness)
    {
        try
        {
            return await devices.AuthenticatedSessionsAsync(deviceId, askLiveness);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            MonitoringLog.SessionsUnknown(logger, e, TenantId, deviceId);
            return null;
        }
    }

    /// <summary>Has the next suspicion of concurrent sessions judged when it is due (<see cref="Detectors.Judge"/>).</summary>
    private void ScheduleJudgement()
    {
        if (_detectors.NextDue is not { } due) return;
        var wait = due - clock.GetUtcNow();
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        if (_judgementTimer is null) _judgementTimer = this.RegisterGrainTimer(JudgeAsync, wait, Timeout.InfiniteTimeSpan);
        else _judgementTimer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private async Task JudgeAsync(CancellationToken cancellationToken)
    {
        var due = _detectors.TakeDue(clock.GetUtcNow());
        try
        {
            if (due.Count == 0) return;
            // one question per device, however many of its suspicions are due
            var devicesDue = due.Select(s => s.Connected.Subject).Distinct().ToList();
            var answers = await Task.WhenAll(devicesDue.Select(device => LiveSessionsAsync(device, askLiveness: false)));
            var live = devicesDue.Zip(answers).ToDictionary(a => a.First, a => a.Second);
            var now = clock.GetUtcNow();
            var detections = due.Select(suspicion => _detectors.Judge(suspicion, live[suspicion.Connected.Subject], now)).OfType<Detection>().ToList();
            if (detections.Count > 0) await FileAsync(detections);
        }
        finally
        {
            ScheduleJudgement();
        }
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
        if (opened.Count == 0 && toRemediate.Count == 0)
        {
            ScheduleRefreshWrite();
            return;
        }
        await WriteAsync();

        foreach (var (finding, devices) in toRemediate)
        {
            var (next, remediation) = await remediator.ApplyAsync(TenantId, state.State, finding, devices);
            var current = next.Findings.Single(f => f.Id == finding.Id);
            state.State = FindingBook.Replace(next, current with { Remediation = MergeRemediation(current.Remediation, remediation) });
        }
        if (toRemediate.Count > 0) await WriteAsync();

        foreach (var finding in opened)
        {
            var now = state.State.Findings.Single(f => f.Id == finding.Id);
            foreach (var endpoint in state.State.Webhooks.Where(w => now.Severity >= w.MinimumSeverity))
                webhooks.Enqueue(TenantId, endpoint, WebhookPayload.Opened(TenantId, now));
        }
    }

    /// <summary>Writes the whole state, pending refreshes included.</summary>
    private async Task WriteAsync()
    {
        await state.WriteStateAsync();
        _refreshPending = false;
    }

    /// <summary>Has the refreshes filed since the last write written within <see cref="RefreshWriteDelay"/>.</summary>
    private void ScheduleRefreshWrite()
    {
        if (_refreshPending) return;
        _refreshPending = true;
        if (_refreshTimer is null) _refreshTimer = this.RegisterGrainTimer(WriteRefreshesAsync, RefreshWriteDelay, Timeout.InfiniteTimeSpan);
        else _refreshTimer.Change(RefreshWriteDelay, Timeout.InfiniteTimeSpan);
    }

    private async Task WriteRefreshesAsync(CancellationToken cancellationToken)
    {
        if (!_refreshPending) return;
        try
        {
            await WriteAsync();
        }
        catch (Exception e)
        {
            MonitoringLog.RefreshWriteFailed(logger, e, TenantId);
            _refreshTimer?.Change(RefreshWriteDelay, Timeout.InfiniteTimeSpan);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _refreshTimer?.Dispose();
        _refreshTimer = null;   // a failed last write is logged; there is no later turn to try again in
        _judgementTimer?.Dispose();
        _judgementTimer = null;
        if (_refreshPending) await WriteRefreshesAsync(cancellationToken);
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
        await WriteAsync();
        await audit.RecordAsync(TenantId, AuditActions.Finding, findingId, findingState.ToString().ToLowerInvariant(), [], actor,
            new Dictionary<string, string> { ["kind"] = finding.Kind.ToString(), ["from"] = finding.State.ToString().ToLowerInvariant() });
        return changed;
    }

    public Task<MonitoringPolicy> GetPolicyAsync() => Task.FromResult(state.State.Policy);

    public async Task<MonitoringPolicy> SetPolicyAsync(MonitoringPolicy policy, string actor)
    {
        var stored = policy with { Version = state.State.Policy.Version + 1 };
        state.State = state.State with { Policy = stored };
        await WriteAsync();
        await audit.RecordAsync(TenantId, AuditActions.MonitoringPolicy, TenantId, "changed", [], actor, MonitoringPolicyAudit.Describe(stored));
        return stored;
    }

    public Task<ImmutableList<WebhookEndpoint>> ListWebhooksAsync() => Task.FromResult(state.State.Webhooks);

    public async Task PutWebhookAsync(WebhookEndpoint endpoint, string actor)
    {
        var others = state.State.Webhooks.RemoveAll(w => w.Id == endpoint.Id);
        state.State = state.State with { Webhooks = others.Add(endpoint) };
        await WriteAsync();
        await audit.RecordAsync(TenantId, AuditActions.Webhook, endpoint.Id, "set", [], actor,
            new Dictionary<string, string> { ["url"] = endpoint.Url.ToString(), ["minimum-severity"] = endpoint.MinimumSeverity.ToString() });
    }

    public async Task<bool> DeleteWebhookAsync(string endpointId, string actor)
    {
        var others = state.State.Webhooks.RemoveAll(w => w.Id == endpointId);
        if (others.Count == state.State.Webhooks.Count) return false;
        state.State = state.State with { Webhooks = others };
        await WriteAsync();
        await audit.RecordAsync(TenantId, AuditActions.Webhook, endpointId, "deleted", [], actor);
        return true;
    }

    public async Task RecordDeliveryAsync(WebhookDelivery delivery)
    {
        var log = state.State.Deliveries.Add(delivery);
        if (log.Count > MonitorState.MaxDeliveries) log = log.RemoveRange(0, log.Count - MonitorState.MaxDeliveries);
        state.State = state.State with { Deliveries = log };
        await WriteAsync();
    }

    public Task<ImmutableList<WebhookDelivery>> ListDeliveriesAsync() => Task.FromResult(state.State.Deliveries.Reverse().ToImmutableList());
}
