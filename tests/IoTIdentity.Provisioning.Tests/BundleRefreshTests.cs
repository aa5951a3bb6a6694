using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions.Federation;
using IoTIdentity.Provisioning.Host.Api;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// External trust bundles are refreshed by the service on their refresh hint, bounded and with backoff on failure, the
/// last good bundle served until it expires. A real bundle server on loopback; the service's clock moved forward by the
/// test and the due fetches run through the service's own <see cref="BundleRefresher"/> (the background scan is set to a
/// day, so it never runs on its own here): no test waits on the wall clock for a refresh.
/// </summary>
public sealed class BundleRefreshTests(BundleRefreshTests.Service service) : IClassFixture<BundleRefreshTests.Service>
{
    /// <summary>A service with loopback bundle URLs allowed, no jitter, refreshes between 30 s and 10 min, bundles kept 1 h.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public ShiftedClock Clock { get; } = new();

        public ServiceFixture Fixture { get; }

        public Service() => Fixture = ServiceFixture.With(new Dictionary<string, string?>
        {
            ["Federation:AllowPrivateBundleAddresses"] = "true",
            ["Federation:MinRefreshInterval"] = "00:00:30",
            ["Federation:MaxRefreshInterval"] = "00:10:00",
            ["Federation:RefreshJitter"] = "0",
            ["Federation:MaxBundleAge"] = "01:00:00",
            ["Federation:RefreshScanInterval"] = "1.00:00:00",
        }, services => services.AddSingleton<TimeProvider>(Clock));

        public BundleRefresher Refresher => Fixture.App.Services.GetRequiredService<BundleRefresher>();

        public Task InitializeAsync() => Fixture.InitializeAsync();

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    private static string BundleWith(string kid, int? hint) =>
        $$"""{"keys":[{"kty":"EC","crv":"P-256","use":"jwt-svid","kid":"{{kid}}","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]{{(hint is { } h ? $",\"spiffe_refresh_hint\":{h}" : "")}}}""";

    private async Task<(TestTenant Tenant, BundleServer Server)> FederatedAsync(string bundle)
    {
        var tenant = await service.Fixture.CreateTenantAsync($"br-{Guid.NewGuid():N}"[..20], []);
        var server = await BundleServer.StartAsync(0);
        server.Serving = bundle;
        using var http = tenant.Http;
        var put = await http.PutAsJsonAsync("/api/v1/federation/partner", new { bundleUrl = server.Url("/bundle.json") });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        return (tenant, server);
    }

    private static async Task<FederationView> ViewAsync(TestTenant tenant)
    {
        using var http = tenant.Http;
        return Assert.Single((await http.GetFromJsonAsync<List<FederationView>>("/api/v1/federation"))!);
    }

    private async Task<JsonElement> PartnerInSetAsync(TestTenant tenant)
    {
        using var anonymous = new HttpClient { BaseAddress = service.Fixture.BaseAddress };
        var set = JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{tenant.TenantId}/federated-bundles.json")).RootElement;
        return set.GetProperty("trust_domains").GetProperty("partner");
    }

    private static string? KidServed(JsonElement partner) =>
        partner.TryGetProperty("bundle", out var bundle) ? bundle.GetProperty("keys")[0].GetProperty("kid").GetString() : null;

    /// <summary>
    /// Moves the service's clock forward, runs the fetches that are due (of every tenant of the class's service: the
    /// tests share it) and returns how many requests <paramref name="server"/> got meanwhile.
    /// </summary>
    private async Task<int> AdvanceAsync(BundleServer server, TimeSpan by)
    {
        var before = server.Requests.Count;
        service.Clock.Offset += by;
        await service.Refresher.RefreshDueAsync(CancellationToken.None);
        return server.Requests.Count - before;
    }

    /// <summary>
    /// Sets the service's clock to <paramref name="when"/> and does the same. The test's own work between two steps takes
    /// real time too, so a step meant to be early is made 10 s early.
    /// </summary>
    private Task<int> AtAsync(BundleServer server, DateTimeOffset when) => AdvanceAsync(server, when - service.Clock.GetUtcNow());

    [Fact]
    public async Task A_bundle_is_fetched_again_on_its_refresh_hint_and_the_new_keys_are_served()
    {
        var (tenant, server) = await FederatedAsync(BundleWith("external-1", 120));
        await using var serving = server;
        var created = await ViewAsync(tenant);
        Assert.Equal(created.BundleFetchedAt + TimeSpan.FromSeconds(120), created.NextRefreshAt);
        Assert.Single(server.Requests);

        Assert.Equal(0, await AdvanceAsync(server, TimeSpan.Zero));
        Assert.Equal(0, await AtAsync(server, created.NextRefreshAt!.Value - TimeSpan.FromSeconds(10)));
        Assert.Single(server.Requests);

        server.Serving = BundleWith("external-2", 45);
        Assert.Equal(1, await AtAsync(server, created.NextRefreshAt!.Value));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("external-2", KidServed(await PartnerInSetAsync(tenant)));
        var refreshed = await ViewAsync(tenant);
        Assert.Equal(refreshed.BundleFetchedAt + TimeSpan.FromSeconds(45), refreshed.NextRefreshAt);
        Assert.Null(refreshed.LastRefreshError);

        // the hint is bounded: 1 s is fetched after the 30 s minimum, a day after the 10 min maximum
        server.Serving = BundleWith("external-3", 1);
        Assert.Equal(1, await AtAsync(server, refreshed.NextRefreshAt!.Value));
        var fast = await ViewAsync(tenant);
        Assert.Equal(fast.BundleFetchedAt + TimeSpan.FromSeconds(30), fast.NextRefreshAt);
        server.Serving = BundleWith("external-4", 86_400);
        Assert.Equal(0, await AtAsync(server, fast.NextRefreshAt!.Value - TimeSpan.FromSeconds(10)));
        Assert.Equal(1, await AtAsync(server, fast.NextRefreshAt!.Value));
        var slow = await ViewAsync(tenant);
        Assert.Equal(slow.BundleFetchedAt + TimeSpan.FromMinutes(10), slow.NextRefreshAt);
        Assert.Equal("external-4", KidServed(await PartnerInSetAsync(tenant)));

        // the schedule's fetches are audited when the bundle changed, by the service
        var audit = await service.Fixture.ReadAuditLogAsync(tenant.TenantId);
        Assert.Equal(3, audit.Count(e => e.Event.Action == "federation-set" && e.Event.Outcome == "refreshed" && e.Event.Actor == "service:bundle-refresh"));
    }

    [Fact]
    public async Task A_failing_bundle_url_backs_off_keeps_the_last_good_bundle_until_it_expires_and_shows_the_error_in_the_api_and_metrics()
    {
        var (tenant, server) = await FederatedAsync(BundleWith("good", 60));
        await using var serving = server;
        server.FailingWith = 503;

        Assert.Equal(1, await AtAsync(server, (await ViewAsync(tenant)).NextRefreshAt!.Value));
        var first = await ViewAsync(tenant);
        Assert.Contains("503", first.LastRefreshError, StringComparison.Ordinal);
        Assert.Equal(1, first.RefreshFailures);
        Assert.Equal(first.LastRefreshAttemptAt + TimeSpan.FromSeconds(30), first.NextRefreshAt);
        Assert.Equal("good", KidServed(await PartnerInSetAsync(tenant)));

        // the backoff doubles from the minimum up to the maximum: 30, 60, 120, 240, 480, 600, 600 s
        foreach (var expected in new[] { 60, 120, 240, 480, 600, 600 })
        {
            var before = await ViewAsync(tenant);
            Assert.Equal(0, await AtAsync(server, before.NextRefreshAt!.Value - TimeSpan.FromSeconds(10)));
            Assert.Equal(1, await AtAsync(server, before.NextRefreshAt!.Value));
            var after = await ViewAsync(tenant);
            Assert.Equal(after.LastRefreshAttemptAt + TimeSpan.FromSeconds(expected), after.NextRefreshAt);
        }
        var failing = await ViewAsync(tenant);
        Assert.Equal(7, failing.RefreshFailures);
        Assert.Equal(failing.BundleFetchedAt + TimeSpan.FromHours(1), failing.BundleExpiresAt);
        Assert.Equal("good", KidServed(await PartnerInSetAsync(tenant)));

        // an hour after the last good fetch the stale bundle is no longer served
        service.Clock.Offset += failing.BundleExpiresAt!.Value - service.Clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        var expired = await PartnerInSetAsync(tenant);
        Assert.Null(KidServed(expired));
        Assert.True(expired.GetProperty("unavailable").GetBoolean());

        // the server recovers: the next fetch serves the bundle again and clears the error
        server.FailingWith = null;
        server.Serving = BundleWith("recovered", 60);
        await AdvanceAsync(server, TimeSpan.FromMinutes(10));
        var recovered = await ViewAsync(tenant);
        Assert.Null(recovered.LastRefreshError);
        Assert.Equal(0, recovered.RefreshFailures);
        Assert.Equal("recovered", KidServed(await PartnerInSetAsync(tenant)));

        // audited once when fetching started to fail and once when it recovered, not at every failure
        var audit = (await service.Fixture.ReadAuditLogAsync(tenant.TenantId)).Where(e => e.Event.Action == "federation-set").Select(e => e.Event.Outcome).ToList();
        Assert.Equal(["federated", "refresh-failed", "refreshed"], audit);

        var failed = await MetricsScrape.SumAsync(service.Fixture.BaseAddress, "iotid_federation_bundle_fetches_total", "outcome=\"failed\"", "trigger=\"schedule\"");
        Assert.True(failed >= 7, $"iotid_federation_bundle_fetches_total{{outcome=failed,trigger=schedule}} is {failed}");
    }

    [Fact]
    public async Task A_fetch_that_finishes_after_the_relationship_was_removed_or_replaced_records_nothing_and_a_claimed_one_is_fetched_once()
    {
        var (tenant, server) = await FederatedAsync(BundleWith("external-1", 60));
        await using var serving = server;
        var federation = service.Fixture.Grains.GetGrain<IFederationGrain>(tenant.TenantId);
        service.Clock.Offset += (await ViewAsync(tenant)).NextRefreshAt!.Value - service.Clock.GetUtcNow();

        // two silos scanning at the same moment: the first claims the relationship, the second finds nothing due
        var claimed = Assert.Single(await federation.ClaimDueAsync(service.Clock.GetUtcNow(), TimeSpan.FromMinutes(1)));
        Assert.Empty(await federation.ClaimDueAsync(service.Clock.GetUtcNow(), TimeSpan.FromMinutes(1)));
        var requests = server.Requests.Count;
        await service.Refresher.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(requests, server.Requests.Count);

        // the owner removes it while the fetch is under way: the fetch's result is dropped, the domain is gone at once
        using var http = tenant.Http;
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/v1/federation/partner")).StatusCode);
        server.Serving = BundleWith("too-late", 60);
        var (recorded, problem) = await service.Refresher.RefreshAsync(tenant.TenantId, claimed, null, CancellationToken.None);
        Assert.Null(problem);
        Assert.Null(recorded);
        Assert.Empty((await http.GetFromJsonAsync<List<FederationView>>("/api/v1/federation"))!);
        using var anonymous = new HttpClient { BaseAddress = service.Fixture.BaseAddress };
        var set = JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{tenant.TenantId}/federated-bundles.json")).RootElement;
        Assert.False(set.GetProperty("trust_domains").TryGetProperty("partner", out _));
        Assert.DoesNotContain(tenant.TenantId, await service.Fixture.Grains.GetGrain<IFederationIndexGrain>(IFederationIndexGrain.Key).ListAsync());

        // the same name made again with another URL: a late fetch of the old URL does not overwrite it
        await using var other = await BundleServer.StartAsync(0);
        other.Serving = BundleWith("other-1", 60);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/v1/federation/partner", new { bundleUrl = other.Url("/bundle.json") })).StatusCode);
        Assert.Contains(tenant.TenantId, await service.Fixture.Grains.GetGrain<IFederationIndexGrain>(IFederationIndexGrain.Key).ListAsync());
        var (stale, _) = await service.Refresher.RefreshAsync(tenant.TenantId, claimed, null, CancellationToken.None);
        Assert.Null(stale);
        Assert.Equal("other-1", KidServed(await PartnerInSetAsync(tenant)));
    }
}
