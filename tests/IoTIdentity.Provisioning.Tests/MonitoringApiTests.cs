using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The monitoring routes' rules: every route needs a key of its role, a tenant sees and changes only its own
/// findings, policy and webhooks, and bad input is refused with a reason and changes nothing.
/// </summary>
public sealed class MonitoringApiTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private Task<TestTenant> NewTenantAsync() => service.CreateTenantAsync($"ma-{Guid.NewGuid():N}"[..20], []);

    private static async Task<HttpClient> KeyAsync(TestTenant tenant, string role)
    {
        using var http = tenant.Http;
        using var response = await http.PostAsJsonAsync("/api/v1/api-keys", new { name = role, role });
        var key = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        return tenant.Service.ClientFor(key);
    }

    /// <summary>Every monitoring route, the least role it needs, and a request to it.</summary>
    private static readonly (string Role, Func<HttpClient, Task<HttpResponseMessage>> Call)[] Routes =
    [
        ("Auditor", h => h.GetAsync("/api/v1/findings")),
        ("Auditor", h => h.GetAsync("/api/v1/findings/f-1")),
        ("Operator", h => h.PostAsync("/api/v1/findings/f-1/acknowledge", null)),
        ("Operator", h => h.PostAsync("/api/v1/findings/f-1/resolve", null)),
        ("Operator", h => h.PostAsync("/api/v1/findings/sweep", null)),
        ("Auditor", h => h.GetAsync("/api/v1/monitoring/policy")),
        ("OwnerAdmin", h => h.PutAsJsonAsync("/api/v1/monitoring/policy", new { })),
        ("Auditor", h => h.GetAsync("/api/v1/webhooks")),
        ("OwnerAdmin", h => h.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook" })),
        ("OwnerAdmin", h => h.DeleteAsync("/api/v1/webhooks/wh-1")),
        ("Auditor", h => h.GetAsync("/api/v1/webhooks/deliveries")),
        ("Operator", h => h.PostAsync($"/api/v1/devices/{new string('a', 64)}/release", null)),
    ];

    [Fact]
    public async Task Every_monitoring_route_refuses_no_key_with_401_and_a_weaker_role_with_403()
    {
        var tenant = await NewTenantAsync();
        string[] roles = ["Auditor", "Operator", "OwnerAdmin"];
        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in roles) clients[role] = await KeyAsync(tenant, role);
        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        foreach (var (least, call) in Routes)
        {
            using (var none = await call(anonymous)) Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            foreach (var role in roles)
            {
                using var response = await call(clients[role]);
                var allowed = Array.IndexOf(roles, role) >= Array.IndexOf(roles, least);
                if (allowed) Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
                else Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }
        }
        foreach (var client in clients.Values) client.Dispose();
    }

    [Fact]
    public async Task A_tenant_sees_and_changes_none_of_another_tenants_findings_policy_or_webhooks()
    {
        var owner = await NewTenantAsync();
        var other = await NewTenantAsync();
        var monitor = service.Grains.GetGrain<IMonitorGrain>(owner.TenantId);
        await monitor.SetPolicyAsync(new MonitoringPolicy { RevokedRetryThreshold = 1 }, "test");
        await monitor.ObserveAsync([new MonitoredEvent
        {
            Kind = MonitoredEventKind.SecondSessionRefused, Subject = new string('b', 64), At = DateTimeOffset.UtcNow, Address = "192.0.2.1", SessionId = "s",
        }]);
        using var ownerHttp = owner.Http;
        using var created = await ownerHttp.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook" });
        var webhookId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var findingId = (await monitor.ListFindingsAsync()).Single().Id;

        using var http = other.Http;
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/api/v1/findings"))!["items"]!.AsArray());
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/api/v1/webhooks"))!["items"]!.AsArray());
        Assert.Equal(3, JsonNode.Parse(await http.GetStringAsync("/api/v1/monitoring/policy"))!["revokedRetryThreshold"]!.GetValue<int>());
        using (var get = await http.GetAsync($"/api/v1/findings/{findingId}")) Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using (var resolve = await http.PostAsync($"/api/v1/findings/{findingId}/resolve", null)) Assert.Equal(HttpStatusCode.NotFound, resolve.StatusCode);
        using (var delete = await http.DeleteAsync($"/api/v1/webhooks/{webhookId}")) Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(FindingState.Open, (await monitor.GetFindingAsync(findingId))!.State);
        Assert.Single(await monitor.ListWebhooksAsync());

        using var resolved = await ownerHttp.PostAsync($"/api/v1/findings/{findingId}/resolve", null);
        Assert.Equal("Resolved", JsonNode.Parse(await resolved.Content.ReadAsStringAsync())!["state"]!.GetValue<string>());
        Assert.Contains(await service.ReadAuditLogAsync(owner.TenantId), e => e.Event.Action == "finding" && e.Event.Subject == findingId && e.Event.Outcome == "resolved");
    }

    public static TheoryData<string, string> BadPolicies => new()
    {
        { """{"remediation":{"NoSuchKind":"Alert"}}""", "NoSuchKind" },
        { """{"remediation":{"CloneSuspected":"Explode"}}""", "Explode" },
        { """{"remediation":{"CloneSuspected":"2"}}""", "'2'" },
        { """{"revocationReason":"because"}""", "revocationReason" },
        { """{"attestationFailureThreshold":0}""", "attestationFailureThreshold" },
        { """{"maxActionsPerInterval":-1}""", "maxActionsPerInterval" },
        { """{"retryWindow":"00:00:00"}""", "retryWindow" },
        { """{"actionInterval":"400.00:00:00"}""", "actionInterval" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public async Task A_policy_breaking_a_limit_is_refused_with_the_reason_and_the_policy_in_force_stays(string body, string named)
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        using var response = await http.PutAsync("/api/v1/monitoring/policy", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, JsonNode.Parse(await http.GetStringAsync("/api/v1/monitoring/policy"))!["version"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("http://example.com/hook")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("https://user:pass@example.com/hook")]
    [InlineData("/relative")]
    [InlineData("")]
    public async Task A_webhook_url_that_is_not_https_or_loopback_http_is_refused_and_nothing_is_added(string url)
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        using var response = await http.PostAsJsonAsync("/api/v1/webhooks", new { url });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/api/v1/webhooks"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task Unknown_filters_are_refused_and_a_listed_webhook_never_shows_its_secret()
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        using (var bad = await http.GetAsync("/api/v1/findings?kind=Nope")) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var bad = await http.GetAsync("/api/v1/findings?state=1")) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var created = await http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook", minimumSeverity = "high" });
        var secret = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["secret"]!.GetValue<string>();
        Assert.Equal(32, Convert.FromBase64String(secret).Length);
        var listed = await http.GetStringAsync("/api/v1/webhooks");
        Assert.DoesNotContain(secret, listed);
        Assert.Equal("High", JsonNode.Parse(listed)!["items"]![0]!["minimumSeverity"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_delivery_the_receiver_refuses_for_good_is_logged_as_failed_after_one_attempt()
    {
        var tenant = await NewTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext(10, 400);
        using var http = tenant.Http;
        using (var created = await http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString() }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await service.Grains.GetGrain<IMonitorGrain>(tenant.TenantId).ObserveAsync([new MonitoredEvent
        {
            Kind = MonitoredEventKind.SecondSessionRefused, Subject = new string('c', 64), At = DateTimeOffset.UtcNow, Address = "192.0.2.1", SessionId = "s",
        }]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonArray items;
        while ((items = JsonNode.Parse(await http.GetStringAsync("/api/v1/webhooks/deliveries"))!["items"]!.AsArray()).Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var delivery = Assert.Single(items)!;
        Assert.Equal((false, 1, 400), (delivery["delivered"]!.GetValue<bool>(), delivery["attempts"]!.GetValue<int>(), delivery["statusCode"]!.GetValue<int>()));
        Assert.Single(receiver.All);
    }
}
