using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// An external trust domain's bundle is fetched for its owner only — when the federation is created or refreshed —
/// within a size and a time limit, without following redirects; the public federated bundle set serves the stored copy,
/// so anonymous readers cannot make the service fetch anything. The service here allows loopback bundle URLs (the
/// development setting), since the bundle server runs on this machine.
/// </summary>
public sealed class BundleFetchTests(BundleFetchTests.Service service) : IClassFixture<BundleFetchTests.Service>
{
    private const int MaxBytes = 2048;

    /// <summary>A service that allows loopback bundle URLs, with a 2 s fetch timeout and a 2 KiB bundle limit.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public ServiceFixture Fixture { get; } = ServiceFixture.With(new Dictionary<string, string?>
        {
            ["Federation:AllowPrivateBundleAddresses"] = "true",
            ["Federation:BundleFetchTimeout"] = "00:00:02",
            ["Federation:MaxBundleBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        public Task InitializeAsync() => Fixture.InitializeAsync();

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    private Task<TestTenant> NewTenantAsync() => service.Fixture.CreateTenantAsync($"bf-{Guid.NewGuid():N}"[..20], []);

    private async Task<JsonElement> FederatedSetAsync(string tenantId)
    {
        using var anonymous = new HttpClient { BaseAddress = service.Fixture.BaseAddress };
        return JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{tenantId}/federated-bundles.json")).RootElement;
    }

    [Fact]
    public async Task An_external_bundle_is_fetched_when_its_owner_creates_or_refreshes_the_federation_and_never_for_an_anonymous_reader()
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        var server = await BundleServer.StartAsync(0);
        await using (server)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/v1/federation/partner", new { bundleUrl = server.Url("/bundle.json") })).StatusCode);
            Assert.Single(server.Requests);

            for (var i = 0; i < 5; i++)
            {
                var set = await FederatedSetAsync(tenant.TenantId);
                var partner = set.GetProperty("trust_domains").GetProperty("partner");
                Assert.Equal("external-1", partner.GetProperty("bundle").GetProperty("keys")[0].GetProperty("kid").GetString());
            }
            Assert.Single(server.Requests);

            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/v1/federation/partner/refresh", null)).StatusCode);
            Assert.Equal(2, server.Requests.Count);
        }

        // the domain is gone: the refresh says why and the bundle fetched before is still served
        var failed = await http.PostAsync("/api/v1/federation/partner/refresh", null);
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Contains("kept", JsonNode.Parse(await failed.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True((await FederatedSetAsync(tenant.TenantId)).GetProperty("trust_domains").GetProperty("partner").TryGetProperty("bundle", out _));

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/api/v1/federation/never-made/refresh", null)).StatusCode);
        var audit = await service.Fixture.ReadAuditLogAsync(tenant.TenantId);
        Assert.Contains(audit, e => e.Event.Action == "federation-set" && e.Event.Subject == "partner" && e.Event.Outcome == "refreshed");
    }

    [Theory]
    [InlineData("/big", "larger than")]
    [InlineData("/slow", "did not answer within")]
    [InlineData("/redirect", "302")]
    [InlineData("/not-json", "could not be fetched")]
    [InlineData("/missing", "404")]
    public async Task A_bundle_url_that_misbehaves_is_refused_with_its_reason_and_nothing_is_kept(string path, string reason)
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        await using var server = await BundleServer.StartAsync(MaxBytes);

        var response = await http.PutAsJsonAsync("/api/v1/federation/partner", new { bundleUrl = server.Url(path) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await http.GetFromJsonAsync<List<JsonObject>>("/api/v1/federation"))!);
        Assert.False((await FederatedSetAsync(tenant.TenantId)).GetProperty("trust_domains").TryGetProperty("partner", out _));
        Assert.DoesNotContain(await service.Fixture.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Action == "federation-set");
    }
}
