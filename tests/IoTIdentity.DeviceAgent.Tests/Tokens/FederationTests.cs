using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// Federation: a relying party of tenant A that trusts A's federated bundle set accepts a token and the TPM-held device
/// certificate of tenant B's device once A federates with B, never those of an unfederated tenant C, and refuses B's
/// again after A removes the relationship (at its next refresh).
/// </summary>
public sealed class FederationTests(TokenService tokens) : IClassFixture<TokenService>
{
    private ServiceFixture Service => tokens.Service;

    private Task<AgentHarness> DeviceWithPolicyAsync() => tokens.DeviceWithPolicyAsync();

    private static Task<HttpStatusCode> CallAsync(RelyingParty party, string token) => party.CallWithoutCertificateAsync(token);

    [Fact]
    public async Task A_relying_party_accepts_a_federated_tenants_token_and_refuses_it_after_the_federation_is_removed()
    {
        await using var a = await DeviceWithPolicyAsync();
        await using var b = await DeviceWithPolicyAsync();
        var bundles = new FederatedBundleSet(new Uri(Service.BaseAddress, $"/tenants/{a.Tenant.TenantId}/federated-bundles.json"));
        await using var party = await RelyingParty.StartAsync(Service.BaseAddress, [], bundles);
        var tokenOfB = (await b.NewAgent().RequestTokenAsync(RelyingParty.Audience, null, null, CancellationToken.None)).Token;
        var tokenOfA = (await a.NewAgent().RequestTokenAsync(RelyingParty.Audience, null, null, CancellationToken.None)).Token;
        using var admin = a.Tenant.Http;

        // 403 means the token was accepted and only the bound certificate is missing; 401 that the token was refused
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(party, tokenOfA));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(party, tokenOfB));

        var put = await admin.PutAsJsonAsync("/api/v1/federation/partner-b", new FederationView { TenantId = b.Tenant.TenantId });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(party, tokenOfB));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/federation/partner-b")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(party, tokenOfB));
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(party, tokenOfA));

        var audit = await Service.ReadAuditLogAsync(a.Tenant.TenantId);
        Assert.Contains(audit, e => e.Event.Action == "federation-set" && e.Event.Subject == "partner-b");
        Assert.Contains(audit, e => e.Event.Action == "federation-remove" && e.Event.Subject == "partner-b");
    }

    [Fact]
    public async Task A_relying_party_of_A_accepts_the_TPM_held_certificate_of_federated_B_over_mTLS_refuses_unfederated_C_and_B_after_the_removal()
    {
        await using var a = await DeviceWithPolicyAsync();
        await using var b = await DeviceWithPolicyAsync();
        await using var c = await DeviceWithPolicyAsync();
        var bundles = new FederatedBundleSet(new Uri(Service.BaseAddress, $"/tenants/{a.Tenant.TenantId}/federated-bundles.json"));
        await using var party = await RelyingParty.StartAsync(Service.BaseAddress, [], bundles);
        await using var abrmdA = await TabrmdProcess.StartAsync(a.Swtpm.DataPort);
        await using var abrmdB = await TabrmdProcess.StartAsync(b.Swtpm.DataPort);
        await using var abrmdC = await TabrmdProcess.StartAsync(c.Swtpm.DataPort);
        using var admin = a.Tenant.Http;

        async Task AcceptedAsync(AgentHarness device, TabrmdProcess abrmd)
        {
            var (status, response) = await TpmTlsClient.GetAsync(device, abrmd, party, "/device");
            Assert.True(status == 200, response);
            Assert.Contains($"certificate of urn:iotidentity:device:{device.DeviceId}", response, StringComparison.Ordinal);
        }

        async Task RefusedAsync(AgentHarness device, TabrmdProcess abrmd)
        {
            var (status, response) = await TpmTlsClient.GetAsync(device, abrmd, party, "/device");
            Assert.True(status == 401, response);
        }

        // the relying party's own tenant is in its federated set; B and C are not yet
        await AcceptedAsync(a, abrmdA);
        await RefusedAsync(b, abrmdB);
        await RefusedAsync(c, abrmdC);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/federation/partner-b", new FederationView { TenantId = b.Tenant.TenantId })).StatusCode);
        await AcceptedAsync(b, abrmdB);
        await RefusedAsync(c, abrmdC);
        // B's token with B's TPM-held certificate: the whole federated call (token issuer, scope, certificate binding)
        var tokenOfB = (await b.NewAgent().RequestTokenAsync(RelyingParty.Audience, null, null, CancellationToken.None)).Token;
        var (withToken, answer) = await TpmTlsClient.GetAsync(b, abrmdB, party, "/readings", tokenOfB);
        Assert.True(withToken == 200, answer);
        Assert.Contains($"readings for urn:iotidentity:device:{b.DeviceId}", answer, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/federation/partner-b")).StatusCode);
        await RefusedAsync(b, abrmdB);
        Assert.Equal(401, (await TpmTlsClient.GetAsync(b, abrmdB, party, "/readings", tokenOfB)).Status);
        await AcceptedAsync(a, abrmdA);
    }

    [Fact]
    public async Task The_trust_bundle_holds_the_tenants_root_as_x509_authority_and_its_token_keys_with_a_refresh_hint()
    {
        await using var a = await DeviceWithPolicyAsync();
        using var anonymous = new HttpClient { BaseAddress = Service.BaseAddress };
        using var bundle = JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{a.Tenant.TenantId}/bundle.json"));
        var keys = bundle.RootElement.GetProperty("keys").EnumerateArray().ToList();
        var root = (await Service.Grains.GetGrain<ITenantGrain>(a.Tenant.TenantId).GetCaAsync())!.RootCertificate;

        Assert.True(bundle.RootElement.GetProperty("spiffe_refresh_hint").GetInt32() > 0);
        var authority = Assert.Single(keys, k => k.GetProperty("use").GetString() == "x509-svid");
        Assert.Equal(Convert.ToBase64String(root), authority.GetProperty("x5c")[0].GetString());
        Assert.Equal(2, keys.Count(k => k.GetProperty("use").GetString() == "jwt-svid"));   // the current and the next token key
        Assert.All(keys, k => Assert.False(k.TryGetProperty("d", out _)));
    }

    [Fact]
    public async Task A_federation_needs_exactly_one_existing_other_tenant_or_an_http_bundle_url_and_a_valid_name()
    {
        await using var a = await DeviceWithPolicyAsync();
        using var admin = a.Tenant.Http;
        async Task<HttpStatusCode> PutAsync(string name, FederationView body) => (await admin.PutAsJsonAsync($"/api/v1/federation/{name}", body)).StatusCode;

        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync("x", new FederationView()));
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync("x", new FederationView { TenantId = "other", BundleUrl = "https://b.example/bundle" }));
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync("x", new FederationView { TenantId = a.Tenant.TenantId }));
        Assert.Equal(HttpStatusCode.NotFound, await PutAsync("x", new FederationView { TenantId = "no-such-tenant" }));
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync("x", new FederationView { BundleUrl = "file:///etc/passwd" }));
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync("Not%20Valid", new FederationView { BundleUrl = "https://b.example/bundle" }));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/federation/never-made")).StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<List<FederationView>>("/api/v1/federation"))!);

        // an external domain is fetched when it is created: a loopback URL is refused outright, and nothing is kept
        Assert.Equal(HttpStatusCode.BadRequest, await PutAsync("external", new FederationView { BundleUrl = "http://127.0.0.1:9/bundle.json" }));
        Assert.Empty((await admin.GetFromJsonAsync<List<FederationView>>("/api/v1/federation"))!);
        using var anonymous = new HttpClient { BaseAddress = Service.BaseAddress };
        using var set = JsonDocument.Parse(await anonymous.GetStringAsync($"/tenants/{a.Tenant.TenantId}/federated-bundles.json"));
        Assert.False(set.RootElement.GetProperty("trust_domains").TryGetProperty("external", out _));
        Assert.True(set.RootElement.GetProperty("trust_domains").GetProperty(a.Tenant.TenantId).TryGetProperty("bundle", out _));
    }
}
