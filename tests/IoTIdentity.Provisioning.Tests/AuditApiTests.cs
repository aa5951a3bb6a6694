using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <c>GET /api/v1/audit</c> (time window, device and action filters, paged) and <c>/api/v1/audit/export</c> (NDJSON)
/// over a tenant's real log, another tenant seeing none of it, and bad parameters refused.
/// </summary>
public sealed class AuditApiTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A tenant whose log holds 30 events: devices d0–d2 in turn, actions register/attest/revoke in turn, a minute apart.</summary>
    private async Task<TestTenant> TenantWithEventsAsync()
    {
        var tenant = await service.CreateTenantAsync($"au-{Guid.NewGuid():N}"[..20], []);
        for (var i = 0; i < 30; i++)
            await service.Store.AppendAuditAsync(tenant.TenantId, new AuditEvent
            {
                Action = new[] { "register", "attest", "revoke" }[i % 3], Subject = $"d{i % 3}", Outcome = "allowed", Actor = "test", At = T0.AddMinutes(i),
            });
        return tenant;
    }

    private static async Task<(List<JsonNode> Items, string? Token)> PageAsync(HttpClient http, string query)
    {
        var page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/audit?{query}"))!;
        return (page["items"]!.AsArray().Select(n => n!).ToList(), page["continuationToken"]?.GetValue<string>());
    }

    [Fact]
    public async Task Filters_select_by_device_action_and_time_and_pages_follow_the_token_to_the_end()
    {
        var tenant = await TenantWithEventsAsync();
        using var http = tenant.Http;

        var (revokesOfD2, token) = await PageAsync(http, "deviceId=d2&action=revoke");
        Assert.Equal(10, revokesOfD2.Count);
        Assert.Null(token);
        Assert.All(revokesOfD2, e => Assert.Equal("d2", e["event"]!["subject"]!.GetValue<string>()));

        var window = $"from={Uri.EscapeDataString(T0.AddMinutes(10).ToString("O"))}&to={Uri.EscapeDataString(T0.AddMinutes(20).ToString("O"))}";
        var (inWindow, _) = await PageAsync(http, window);
        Assert.Equal(10, inWindow.Count);                                 // minutes 10..19: from inclusive, to exclusive

        var seen = new List<long>();
        string? next = null;
        do
        {
            var (items, t) = await PageAsync(http, $"deviceId=d0&pageSize=4{(next is null ? "" : $"&continuationToken={next}")}");
            seen.AddRange(items.Select(e => e["sequence"]!.GetValue<long>()));
            next = t;
        }
        while (next is not null);
        Assert.Equal(10, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
    }

    [Fact]
    public async Task Export_streams_every_matching_entry_as_one_JSON_line_each()
    {
        var tenant = await TenantWithEventsAsync();
        using var http = tenant.Http;

        using var response = await http.GetAsync("/api/v1/audit/export?action=attest");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(10, lines.Length);
        Assert.All(lines, line => Assert.Equal("attest", JsonNode.Parse(line)!["event"]!["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_log()
    {
        var tenant = await TenantWithEventsAsync();
        var other = await service.CreateTenantAsync($"au-{Guid.NewGuid():N}"[..20], []);
        using var http = other.Http;

        var (items, _) = await PageAsync(http, "deviceId=d0");
        var export = await http.GetStringAsync("/api/v1/audit/export?deviceId=d1");

        Assert.Empty(items);
        Assert.DoesNotContain(tenant.TenantId, export);
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("to=2026-13-40")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=100000")]
    [InlineData("continuationToken=%21%21")]
    [InlineData("continuationToken=LTE")]                                  // "-1"
    public async Task Bad_parameters_are_refused_as_malformed(string query)
    {
        var tenant = await TenantWithEventsAsync();
        using var http = tenant.Http;

        using var response = await http.GetAsync($"/api/v1/audit?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("MalformedRequest", await response.Content.ReadAsStringAsync());
    }
}
