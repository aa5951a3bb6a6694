namespace IoTIdentity.Protocol.Management;

/// <summary>The monitoring routes: findings, the monitoring policy, webhooks and their delivery log, quarantine release.</summary>
public sealed partial class IotIdClient
{
    /// <summary><c>GET /api/v1/findings</c>: the tenant's findings, newest first, optionally by state and kind.</summary>
    public Task<ApiResult<Page<FindingView>>> ListFindingsAsync(string? state = null, string? kind = null, CancellationToken cancellationToken = default) =>
        PageAsync(Query("/api/v1/findings", ("state", state), ("kind", kind)), Json.FindingView, cancellationToken);

    /// <summary><c>GET /api/v1/findings/{id}</c>.</summary>
    public Task<ApiResult<FindingView>> GetFindingAsync(string findingId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/findings/{Segment(findingId)}", null, Json.FindingView, cancellationToken);

    /// <summary><c>POST /api/v1/findings/{id}/acknowledge</c> or <c>/resolve</c> (operator).</summary>
    public Task<ApiResult<FindingView>> SetFindingStateAsync(string findingId, bool resolve, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/findings/{Segment(findingId)}/{(resolve ? "resolve" : "acknowledge")}", null, Json.FindingView, cancellationToken);

    /// <summary><c>POST /api/v1/findings/sweep</c> (operator): looks over the inventory for stale devices and expiring certificates now.</summary>
    public Task<string> SweepFindingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/findings/sweep", null, cancellationToken);

    /// <summary><c>GET /api/v1/monitoring/policy</c>.</summary>
    public Task<ApiResult<MonitoringPolicyView>> GetMonitoringPolicyAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "/api/v1/monitoring/policy", null, Json.MonitoringPolicyView, cancellationToken);

    /// <summary><c>PUT /api/v1/monitoring/policy</c> (owner-admin).</summary>
    public Task<ApiResult<MonitoringPolicyView>> SetMonitoringPolicyAsync(MonitoringPolicyView policy, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "/api/v1/monitoring/policy", Body(policy, Json.MonitoringPolicyView), Json.MonitoringPolicyView, cancellationToken);

    /// <summary><c>GET /api/v1/webhooks</c>.</summary>
    public Task<ApiResult<Page<WebhookView>>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        PageAsync("/api/v1/webhooks", Json.WebhookView, cancellationToken);

    /// <summary><c>POST /api/v1/webhooks</c> (owner-admin): the secret comes back this once.</summary>
    public Task<ApiResult<CreatedWebhook>> CreateWebhookAsync(CreateWebhookRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/webhooks", Body(request, Json.CreateWebhookRequest), Json.CreatedWebhook, cancellationToken);

    /// <summary><c>DELETE /api/v1/webhooks/{id}</c> (owner-admin).</summary>
    public Task<string> DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/v1/webhooks/{Segment(webhookId)}", null, cancellationToken);

    /// <summary><c>GET /api/v1/webhooks/deliveries</c>: how recent deliveries ended, newest first.</summary>
    public Task<ApiResult<Page<WebhookDeliveryView>>> ListWebhookDeliveriesAsync(CancellationToken cancellationToken = default) =>
        PageAsync("/api/v1/webhooks/deliveries", Json.WebhookDeliveryView, cancellationToken);

    /// <summary><c>POST /api/v1/devices/{id}/release</c> (operator): lets a quarantined device renew again.</summary>
    public Task<string> ReleaseDeviceAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/devices/{Segment(deviceId)}/release", null, cancellationToken);
}
