using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// Device tokens end to end: a swtpm device enrolled by the real agent asks for tokens over its MQTT session, and a real
/// ASP.NET Core relying party (JwtBearer with our discovery document, the Certificate handler) decides.
/// </summary>
public sealed class TokenEndToEndTests(TokenService tokens) : IClassFixture<TokenService>
{
    private ServiceFixture Service => tokens.Service;

    private Task<AgentHarness> EnrolledDeviceAsync() => tokens.DeviceWithPolicyAsync(Policy());

    private static TokenPolicyView Policy(params string[] scopes) => new()
    {
        Audiences = new Dictionary<string, IReadOnlyList<string>>
        {
            [RelyingParty.Audience] = scopes.Length == 0 ? [RelyingParty.Scope, "readings:write"] : scopes,
            ["https://other.example"] = ["other:all"],
        },
    };

    private static Task PutPolicyAsync(AgentHarness device, TokenPolicyView policy) => TokenService.PutPolicyAsync(device, policy);

    private static Task<Protocol.Messages.TokenResponse> TokenAsync(AgentHarness device, string audience = RelyingParty.Audience, int? lifetime = null) =>
        device.NewAgent().RequestTokenAsync(audience, lifetime, null, CancellationToken.None);

    private static Task<HttpStatusCode> CallWithoutCertificateAsync(RelyingParty party, string token) => party.CallWithoutCertificateAsync(token);

    private async Task<RelyingParty> PartyTrustingAsync(params AgentHarness[] devices)
    {
        var roots = new List<(string, byte[], byte[])>();
        foreach (var device in devices)
        {
            var ca = (await Service.Grains.GetGrain<ITenantGrain>(device.Tenant.TenantId).GetCaAsync())!;
            roots.Add((device.Tenant.TenantId, ca.RootCertificate, ca.IssuingCertificate));
        }
        return await RelyingParty.StartAsync(Service.BaseAddress, roots);
    }

    [Fact]
    public async Task A_relying_party_accepts_the_agents_token_only_with_the_bound_TPM_certificate_the_right_audience_scope_and_time()
    {
        await using var device = await EnrolledDeviceAsync();
        await using var party = await PartyTrustingAsync(device);
        await using var abrmd = await TabrmdProcess.StartAsync(device.Swtpm.DataPort);
        var token = await TokenAsync(device);

        var (status, response) = await TpmTlsClient.GetAsync(device, abrmd, party, "/readings", token.Token);
        Assert.True(status == 200, response);
        Assert.Contains($"readings for urn:iotidentity:device:{device.DeviceId}", response, StringComparison.Ordinal);

        // the same token without the TPM-held certificate: the token is valid, the binding is not there
        Assert.Equal(HttpStatusCode.Forbidden, await CallWithoutCertificateAsync(party, token.Token));
        // a token for another audience, presented with the bound certificate: not a token for this relying party
        Assert.Equal(401, (await TpmTlsClient.GetAsync(device, abrmd, party, "/readings", (await TokenAsync(device, "https://other.example")).Token)).Status);
        // an expired token, with the bound certificate
        var shortLived = await TokenAsync(device, lifetime: 1);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(401, (await TpmTlsClient.GetAsync(device, abrmd, party, "/readings", shortLived.Token)).Status);
        // the group's policy no longer grants the scope: a new token lacks it
        await PutPolicyAsync(device, Policy("readings:write"));
        Assert.Equal(403, (await TpmTlsClient.GetAsync(device, abrmd, party, "/readings", (await TokenAsync(device)).Token)).Status);
    }

    [Fact]
    public async Task A_token_of_a_tenant_the_relying_party_does_not_trust_is_refused()
    {
        await using var trusted = await EnrolledDeviceAsync();
        await using var stranger = await EnrolledDeviceAsync();
        await using var party = await PartyTrustingAsync(trusted);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallWithoutCertificateAsync(party, (await TokenAsync(stranger)).Token));
        Assert.Equal(HttpStatusCode.Forbidden, await CallWithoutCertificateAsync(party, (await TokenAsync(trusted)).Token));
    }

    [Fact]
    public async Task The_token_carries_the_claims_of_the_device_and_its_policy()
    {
        await using var device = await EnrolledDeviceAsync();
        var token = await TokenAsync(device);
        var parts = token.Token.Split('.');
        using var header = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[0]));
        using var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]));
        var claims = payload.RootElement;
        var certificate = device.Store.Load()!.Metadata.CertificateChain[0];

        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.False(string.IsNullOrEmpty(header.RootElement.GetProperty("kid").GetString()));
        Assert.Equal($"{Service.BaseAddress.ToString().TrimEnd('/')}/tenants/{device.Tenant.TenantId}", claims.GetProperty("iss").GetString());
        Assert.Equal($"urn:iotidentity:device:{device.DeviceId}", claims.GetProperty("sub").GetString());
        Assert.Equal(RelyingParty.Audience, claims.GetProperty("aud").GetString());
        Assert.Equal(300, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        Assert.Equal(claims.GetProperty("iat").GetInt64(), claims.GetProperty("nbf").GetInt64());
        Assert.Equal(device.Tenant.TenantId, claims.GetProperty("tenant").GetString());
        Assert.Equal("default", claims.GetProperty("group").GetString());
        Assert.Equal(device.DeviceId, claims.GetProperty("device_id").GetString());
        Assert.True(claims.TryGetProperty("attested_at", out _));
        Assert.Equal("readings:read readings:write", claims.GetProperty("scope").GetString());
        Assert.Equal(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(System.Security.Cryptography.SHA256.HashData(certificate)),
            claims.GetProperty("cnf").GetProperty("x5t#S256").GetString());
        Assert.NotEqual(claims.GetProperty("jti").GetString(), JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode((await TokenAsync(device)).Token.Split('.')[1])).RootElement.GetProperty("jti").GetString());
    }

    [Fact]
    public async Task The_service_refuses_a_token_to_a_disabled_or_revoked_device_for_an_audience_not_allowed_and_when_a_condition_fails()
    {
        await using var device = await EnrolledDeviceAsync();
        using var http = device.Tenant.Http;

        Assert.Equal(ProvisioningError.AudienceNotAllowed, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(device, "https://unlisted.example"))).Error);

        await PutPolicyAsync(device, Policy() with { MinimumFirmwareRelease = "board-firmware 1.0" });
        Assert.Equal(ProvisioningError.TokenConditionsNotMet, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(device))).Error);
        await PutPolicyAsync(device, Policy() with { MaxAttestationAgeSeconds = 1 });
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(ProvisioningError.TokenConditionsNotMet, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(device))).Error);
        // measured-boot compliance: the group comes to allow only a release this device never proved, and back
        await PutPolicyAsync(device, Policy() with { RequireMeasuredBootCompliant = true });
        await TokenAsync(device);
        await AllowFirmwareAsync(http, [FirmwareSamplesOnDisk.ManifestJson("1.1.0")]);
        Assert.False((await device.ServiceViewAsync())!.Compliant);
        Assert.Equal(ProvisioningError.TokenConditionsNotMet, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(device))).Error);
        await AllowFirmwareAsync(http, []);
        Assert.True((await device.ServiceViewAsync())!.Compliant);
        await TokenAsync(device);
        await PutPolicyAsync(device, Policy());
        await TokenAsync(device);

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"/api/v1/devices/{device.DeviceId}/disable", null)).StatusCode);
        Assert.Equal(ProvisioningError.Disabled, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(device))).Error);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"/api/v1/devices/{device.DeviceId}/enable", null)).StatusCode);
        await TokenAsync(device);

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync($"/api/v1/devices/{device.DeviceId}/revoke", new { reason = "keyCompromise" })).StatusCode);
        // the revoked certificate is refused at CONNECT, and on the enrolment-only session the agent falls back to a token
        // request is refused before anything about the device is looked at
        Assert.Equal(ProvisioningError.AuthenticationRequired, (await Assert.ThrowsAsync<EnrollmentRefusedException>(() => TokenAsync(device))).Error);

        var audit = await Service.ReadAuditLogAsync(device.Tenant.TenantId);
        Assert.Contains(audit, e => e.Event.Action == "token" && e.Event.Outcome == "issued");
        Assert.Contains(audit, e => e.Event.Action == "token" && e.Event.Outcome == $"refused:{ProvisioningError.AudienceNotAllowed}");
        Assert.Contains(audit, e => e.Event.Action == "token-policy-set");
    }

    [Fact]
    public async Task Introspection_answers_active_for_a_live_token_and_inactive_once_the_device_is_disabled_or_for_a_forged_one()
    {
        await using var device = await EnrolledDeviceAsync();
        using var http = device.Tenant.Http;
        var token = (await TokenAsync(device)).Token;

        async Task<JsonElement> IntrospectAsync(string presented)
        {
            var answer = await http.PostAsync("/api/v1/tokens/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = presented }));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        }

        var live = await IntrospectAsync(token);
        Assert.True(live.GetProperty("active").GetBoolean());
        Assert.Equal($"urn:iotidentity:device:{device.DeviceId}", live.GetProperty("sub").GetString());
        Assert.Equal("readings:read readings:write", live.GetProperty("scope").GetString());
        var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
        Assert.False((await IntrospectAsync(forged)).GetProperty("active").GetBoolean());
        Assert.False((await IntrospectAsync("not a token")).GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/v1/tokens/introspect", new FormUrlEncodedContent([]))).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = Service.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/tokens/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }))).StatusCode);

        await http.PostAsync($"/api/v1/devices/{device.DeviceId}/disable", null);
        Assert.False((await IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspection_answers_inactive_for_a_token_whose_bound_certificate_was_revoked_while_the_device_stays_active()
    {
        await using var device = await EnrolledDeviceAsync();
        using var http = device.Tenant.Http;
        var token = (await TokenAsync(device)).Token;
        var serial = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device.DeviceId}")).GetProperty("certificateSerial").GetString();

        async Task<bool> ActiveAsync()
        {
            var answer = await http.PostAsync("/api/v1/tokens/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
            return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("active").GetBoolean();
        }

        Assert.True(await ActiveAsync());
        Assert.Equal(serial, Payload(token).GetProperty("cert_serial").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync($"/api/v1/certificates/{serial}/revoke", new { reason = "keyCompromise" })).StatusCode);

        Assert.Equal("Active", (await http.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{device.DeviceId}")).GetProperty("status").GetString());
        Assert.False(await ActiveAsync());
    }

    [Fact]
    public async Task After_a_key_rotation_a_relying_party_that_cached_the_JWKS_accepts_tokens_of_the_old_and_the_new_key()
    {
        await using var device = await EnrolledDeviceAsync();
        await using var party = await PartyTrustingAsync(device);
        using var http = device.Tenant.Http;
        var before = (await TokenAsync(device)).Token;
        Assert.Equal(HttpStatusCode.Forbidden, await CallWithoutCertificateAsync(party, before));   // accepted as a token (its binding is missing)

        var rotated = await http.PostAsync("/api/v1/token-keys/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var keys = await http.GetFromJsonAsync<List<TokenKeyView>>("/api/v1/token-keys");
        Assert.Equal(["retired", "current", "next"], keys!.Select(k => k.Status));
        var after = (await TokenAsync(device)).Token;

        Assert.NotEqual(Header(before).GetProperty("kid").GetString(), Header(after).GetProperty("kid").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, await CallWithoutCertificateAsync(party, after));
        Assert.Equal(HttpStatusCode.Forbidden, await CallWithoutCertificateAsync(party, before));
        Assert.Contains(await Service.ReadAuditLogAsync(device.Tenant.TenantId), e => e.Event.Action == "token-key-rotate");
    }

    [Fact]
    public async Task Applications_on_the_device_get_tokens_from_the_daemons_token_socket()
    {
        await using var device = await EnrolledDeviceAsync();
        device.Options.TokenSocket = Path.Combine(device.Directory, "token.sock");
        var agent = device.NewAgent();
        var daemon = new AgentDaemon(agent, new CommandVerifier(), NullLogger<AgentDaemon>.Instance);
        using var endpoint = new LocalTokenEndpoint(agent, daemon, NullLogger<LocalTokenEndpoint>.Instance);
        using var stop = new CancellationTokenSource();
        await daemon.StartAsync(stop.Token);
        await endpoint.StartAsync(stop.Token);
        try
        {
            await AgentHarness.EventuallyAsync(() => Task.FromResult(File.Exists(device.Options.TokenSocket)), TimeSpan.FromSeconds(10), "the token socket appears");
            var reply = await LocalTokenEndpoint.AskAsync(device.Options.TokenSocket, new LocalTokenRequest { Audience = RelyingParty.Audience }, CancellationToken.None);
            Assert.True(reply.Token is not null, reply.Error);
            Assert.Equal(RelyingParty.Audience, Payload(reply.Token!).GetProperty("aud").GetString());
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(device.Options.TokenSocket));

            var refused = await LocalTokenEndpoint.AskAsync(device.Options.TokenSocket, new LocalTokenRequest { Audience = "https://unlisted.example" }, CancellationToken.None);
            Assert.Null(refused.Token);
            Assert.Equal(nameof(ProvisioningError.AudienceNotAllowed), refused.Error);
            var empty = await LocalTokenEndpoint.AskAsync(device.Options.TokenSocket, new LocalTokenRequest(), CancellationToken.None);
            Assert.Null(empty.Token);
            Assert.NotNull(empty.Error);
        }
        finally
        {
            await endpoint.StopAsync(CancellationToken.None);
            await daemon.StopAsync(CancellationToken.None);
        }
    }

    private static async Task AllowFirmwareAsync(HttpClient http, IReadOnlyList<JsonElement> releases)
    {
        var group = await http.GetFromJsonAsync<EnrollmentGroup>("/api/v1/enrollment-groups/default");
        var put = await http.PutAsJsonAsync("/api/v1/enrollment-groups/default", group! with { AllowedFirmware = releases });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private static JsonElement Header(string jwt) => JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.Split('.')[0])).RootElement;

    private static JsonElement Payload(string jwt) => JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement;
}
