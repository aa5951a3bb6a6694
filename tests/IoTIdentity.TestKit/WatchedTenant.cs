using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// A tenant watched end to end, as its owner would: an owner-admin API client, a real HTTP receiver (Kestrel on
/// loopback) subscribed as its webhook with the secret the API gave once, and the checks a receiver and an operator
/// make: a finding of a kind, the webhook announcing it (signature and timestamp verified like a receiver), the
/// delivery log, the audit entries behind a finding and those of the automatic action.
/// </summary>
public sealed class WatchedTenant : IAsyncDisposable
{
    /// <summary>How long a finding, a webhook or a delivery record may take to appear.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>How old a webhook's timestamp may be before a receiver refuses it as a replay.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _clock;

    private WatchedTenant(TestTenant tenant, WebhookReceiver receiver, TimeProvider clock)
    {
        Tenant = tenant;
        Http = tenant.Http;
        Receiver = receiver;
        _clock = clock;
    }

    public TestTenant Tenant { get; }
    public HttpClient Http { get; }
    public WebhookReceiver Receiver { get; }

    /// <summary>The endpoint's HMAC key, as the API answered it when the webhook was added.</summary>
    public byte[] Secret { get; private set; } = [];

    /// <summary>
    /// A new tenant of <paramref name="service"/> whose "default" group trusts <paramref name="root"/> (and is shaped by
    /// <paramref name="group"/>), with a receiver subscribed. <paramref name="clock"/> is the service's clock (what a
    /// webhook's timestamp is compared with); the system clock without.
    /// </summary>
    public static async Task<WatchedTenant> CreateAsync(ServiceFixture service, byte[] root, Func<EnrollmentPolicy, EnrollmentPolicy>? group = null,
        TimeProvider? clock = null) =>
        await WatchAsync(await service.CreateTenantAsync($"mon-{Guid.NewGuid():N}"[..20], [root], group), clock);

    /// <summary><paramref name="tenant"/> with a receiver subscribed as its webhook (see <see cref="CreateAsync"/>).</summary>
    public static async Task<WatchedTenant> WatchAsync(TestTenant tenant, TimeProvider? clock = null)
    {
        var watched = new WatchedTenant(tenant, await WebhookReceiver.StartAsync(), clock ?? TimeProvider.System);
        using var response = await watched.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = watched.Receiver.Url.ToString() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        watched.Secret = Convert.FromBase64String(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["secret"]!.GetValue<string>());
        return watched;
    }

    public string TenantId => Tenant.TenantId;

    /// <summary>Replaces the monitoring policy with <paramref name="policy"/> (fields left out take their defaults).</summary>
    public async Task SetPolicyAsync(object policy)
    {
        using var response = await Http.PutAsJsonAsync("/api/v1/monitoring/policy", policy);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Sets the remediation of one kind, everything else at its default.</summary>
    public Task SetRemediationAsync(string kind, string action) =>
        SetPolicyAsync(new { remediation = new Dictionary<string, string> { [kind] = action } });

    /// <summary>Polls the findings of <paramref name="kind"/> until one satisfies <paramref name="done"/>.</summary>
    public Task<JsonNode> FindingAsync(string kind, Func<JsonNode, bool>? done = null) =>
        PollAsync($"/api/v1/findings?kind={kind}", f => done is null || done(f), $"a {kind} finding");

    /// <summary>Every finding of the tenant, newest first.</summary>
    public async Task<List<JsonNode>> FindingsAsync() =>
        [.. JsonNode.Parse(await Http.GetStringAsync("/api/v1/findings"))!["items"]!.AsArray().Select(f => f!)];

    /// <summary>
    /// The findings once monitoring has read every event of the tenant's stream so far: a control event (a refused
    /// second session of a made-up device) goes into the silo's feed last, and the stream is one queue read in order,
    /// so when the control's finding shows, everything before it has been read. Returns the findings without it.
    /// </summary>
    public async Task<List<JsonNode>> SettledFindingsAsync()
    {
        var control = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Tenant.Service.App.Services.GetRequiredService<MonitoringFeed>().Publish(TenantId, new MonitoredEvent
        {
            Kind = MonitoredEventKind.SecondSessionRefused, Subject = control, At = _clock.GetUtcNow(), Address = "192.0.2.99", SessionId = "control",
        });
        await FindingAsync("CloneSuspected", f => Devices(f).Contains(control));
        return [.. (await FindingsAsync()).Where(f => !Devices(f).Contains(control))];
    }

    /// <summary>The delivery-log record of <paramref name="findingId"/>'s webhook, once it is there.</summary>
    public Task<JsonNode> DeliveryAsync(string findingId) =>
        PollAsync("/api/v1/webhooks/deliveries", d => d["findingId"]!.GetValue<string>() == findingId, $"a delivery of {findingId}");

    private async Task<JsonNode> PollAsync(string path, Func<JsonNode, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var page = JsonNode.Parse(await Http.GetStringAsync(path))!;
            if (page["items"]!.AsArray().FirstOrDefault(item => match(item!)) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} within {Wait}: {page.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The webhook delivered (2xx) for <paramref name="findingId"/>, checked as a receiver checks it: the HMAC over the
    /// timestamp header and the body's bytes verifies with the secret, the timestamp is not older than
    /// <see cref="MaxAge"/> nor in the future, and the body announces that finding; returns the body.
    /// </summary>
    public async Task<JsonNode> WebhookAsync(string findingId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            // deliveries arrive in any order: one for another finding is kept for the call that asks for it
            var kept = _otherFindings.Find(w => FindingOf(w) == findingId);
            if (kept is not null) _otherFindings.Remove(kept);
            var webhook = kept ?? await Receiver.NextDeliveredAsync(deadline - DateTime.UtcNow);
            if (FindingOf(webhook) != findingId)
            {
                _otherFindings.Add(webhook);
                continue;
            }
            var payload = JsonNode.Parse(webhook.Body)!;
            var timestamp = long.Parse(webhook.Header(WebhookSignature.TimestampHeader)!, CultureInfo.InvariantCulture);
            Assert.True(WebhookSignature.Verify(Secret, timestamp, webhook.Body, webhook.Header(WebhookSignature.SignatureHeader)!), "the signature does not verify");
            Assert.False(WebhookSignature.Verify(RandomSecret(), timestamp, webhook.Body, webhook.Header(WebhookSignature.SignatureHeader)!), "another key verifies it");
            Assert.InRange(_clock.GetUtcNow().ToUnixTimeSeconds() - timestamp, 0, (long)MaxAge.TotalSeconds);
            Assert.Equal("finding.opened", webhook.Header(WebhookSignature.EventHeader));
            Assert.Equal("finding.opened", payload["event"]!.GetValue<string>());
            Assert.Equal(TenantId, payload["tenantId"]!.GetValue<string>());
            return payload;
        }
    }

    private readonly List<ReceivedWebhook> _otherFindings = [];

    private static string FindingOf(ReceivedWebhook webhook) => JsonNode.Parse(webhook.Body)!["findingId"]!.GetValue<string>();

    private static byte[] RandomSecret() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    /// <summary>The tenant's whole audit log.</summary>
    public Task<List<AuditEntry>> AuditAsync() => Tenant.Service.ReadAuditLogAsync(TenantId);

    /// <summary>The audit sequence numbers a finding links to.</summary>
    public static List<long> Sequences(JsonNode finding) => [.. finding["auditSequences"]!.AsArray().Select(n => n!.GetValue<long>())];

    /// <summary>The devices a finding names.</summary>
    public static List<string> Devices(JsonNode finding) => [.. finding["devices"]!.AsArray().Select(n => n!.GetValue<string>())];

    /// <summary>
    /// The finding links to audit entries, each of which exists in the tenant's log and satisfies
    /// <paramref name="behind"/> (the decisions the detector read); returns them.
    /// </summary>
    public async Task<List<AuditEntry>> AssertLinkedAsync(JsonNode finding, Func<AuditEntry, bool> behind)
    {
        var log = await AuditAsync();
        var linked = Sequences(finding).Select(s => log.Single(e => e.Sequence == s)).ToList();
        Assert.NotEmpty(linked);
        Assert.All(linked, e => Assert.True(behind(e), $"audit entry {e.Sequence} ({e.Event.Action} {e.Event.Outcome} {e.Event.Subject}) is not what the finding says"));
        return linked;
    }

    /// <summary>The <c>remediation</c> entries monitoring wrote for <paramref name="findingId"/>, oldest first.</summary>
    public async Task<List<AuditEntry>> RemediationsAsync(string findingId) =>
        [.. (await AuditAsync()).Where(e => e.Event.Action == "remediation" && e.Event.Details?.GetValueOrDefault("finding") == findingId)];

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Receiver.DisposeAsync();
    }
}
