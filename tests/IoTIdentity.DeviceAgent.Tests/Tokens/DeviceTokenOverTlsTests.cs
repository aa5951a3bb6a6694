using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// The token exchange over HTTPS with TLS client authentication: a swtpm device enrolled by the real agent presents its
/// certificate with its TPM-resident key (<c>openssl s_client</c> with the tpm2 provider) on the service's
/// device-certificate port and gets a token bound to that certificate, which a real relying party accepts with the same
/// TPM-held certificate. Nothing else gets a token there: no certificate, a certificate not issued by the device's tenant
/// (self-made, or made to look like the tenant's by its names), a revoked or disabled device.
/// </summary>
public sealed class DeviceTokenOverTlsTests(TokenService tokens) : IClassFixture<TokenService>
{
    private const string TokenPath = "/api/v1/device/token";

    private ServiceFixture Service => tokens.Service;

    private Task<AgentHarness> EnrolledDeviceAsync() => tokens.DeviceWithPolicyAsync();

    private static string Body(string audience) => JsonSerializer.Serialize(new { audience });

    private static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement;

    private static string? TokenIn(string response) => Regex.Match(response, "\"token\":\"([^\"]+)\"") is { Success: true } m ? m.Groups[1].Value : null;

    private static string? ErrorIn(string response) => Regex.Match(response, "\"error\":\"([^\"]+)\"") is { Success: true } m ? m.Groups[1].Value : null;

    [Fact]
    public async Task A_device_presenting_its_TPM_held_certificate_gets_a_token_bound_to_it_that_a_relying_party_accepts()
    {
        await using var device = await EnrolledDeviceAsync();
        await using var abrmd = await TabrmdProcess.StartAsync(device.Swtpm.DataPort);
        var server = await tokens.DeviceTlsServerCertificateAsync();

        var (status, response) = await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, Body(RelyingParty.Audience));
        Assert.True(status == 200, response);
        var token = TokenIn(response);
        Assert.NotNull(token);
        var claims = Payload(token);
        var certificate = device.Store.Load()!.Metadata.CertificateChain[0];
        Assert.Equal($"urn:iotidentity:device:{device.DeviceId}", claims.GetProperty("sub").GetString());
        Assert.Equal(RelyingParty.Audience, claims.GetProperty("aud").GetString());
        Assert.Equal(RelyingParty.Scope, claims.GetProperty("scope").GetString());
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(certificate)), claims.GetProperty("cnf").GetProperty("x5t#S256").GetString());

        // a relying party of the tenant accepts it with the same TPM-held certificate, and not without it
        var ca = (await Service.Grains.GetGrain<ITenantGrain>(device.Tenant.TenantId).GetCaAsync())!;
        await using var party = await RelyingParty.StartAsync(Service.BaseAddress, [(device.Tenant.TenantId, ca.RootCertificate, ca.IssuingCertificate)]);
        var (accepted, answer) = await TpmTlsClient.GetAsync(device, abrmd, party, "/readings", token);
        Assert.True(accepted == 200, answer);
        Assert.Equal(HttpStatusCode.Forbidden, await party.CallWithoutCertificateAsync(token));

        // the group's policy and the device's standing hold on this path as on the MQTT one
        var (unlisted, refusedAnswer) = await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, Body("https://unlisted.example"));
        Assert.Equal(403, unlisted);
        Assert.Equal("AudienceNotAllowed", ErrorIn(refusedAnswer));
        Assert.Equal(400, (await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, "{\"audience\":")).Status);
        Assert.Equal(400, (await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, "{}")).Status);
        Assert.Equal(413, (await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, Body(new string('a', 5000)))).Status);
        using var http = device.Tenant.Http;
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"/api/v1/devices/{device.DeviceId}/disable", null)).StatusCode);
        var (disabled, disabledAnswer) = await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, Body(RelyingParty.Audience));
        Assert.Equal("Disabled", ErrorIn(disabledAnswer));
        Assert.NotEqual(200, disabled);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"/api/v1/devices/{device.DeviceId}/enable", null)).StatusCode);
        Assert.Equal(200, (await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, Body(RelyingParty.Audience))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync($"/api/v1/devices/{device.DeviceId}/revoke", new { reason = "keyCompromise" })).StatusCode);
        var (revoked, revokedAnswer) = await TpmTlsClient.PostJsonAsync(device, abrmd, tokens.DeviceTlsPort, server, TokenPath, Body(RelyingParty.Audience));
        Assert.Equal(401, revoked);
        Assert.Null(TokenIn(revokedAnswer));

        var audit = await Service.ReadAuditLogAsync(device.Tenant.TenantId);
        Assert.Equal(2, audit.Count(e => e.Event.Action == "token" && e.Event.Outcome == "issued" && e.Event.Details?.GetValueOrDefault("authenticatedBy") == "tls-client-certificate"));
        Assert.Contains(audit, e => e.Event.Action == "token" && e.Event.Outcome == "refused:AudienceNotAllowed");
        Assert.True(await MetricsScrape.SumAsync(Service.BaseAddress, "iotid_tokens_issued_total") >= 2);
        foreach (var reason in new[] { "AudienceNotAllowed", "Disabled", "MalformedRequest" })
            Assert.True(await MetricsScrape.SumAsync(Service.BaseAddress, "iotid_refusals_total", "op=\"token\"", $"reason=\"{reason}\"") >= 1, $"no token refusal counted for {reason}");
    }

    /// <summary>A certificate in the device's names but not issued by its tenant's CA: self-signed, or under a CA that copies the issuing CA's name.</summary>
    public static TheoryData<string> Forgeries => ["self-signed", "issuer-name-copied"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_certificate_naming_the_device_but_not_issued_by_its_tenant_gets_no_token(string forgery)
    {
        await using var device = await EnrolledDeviceAsync();
        var ca = (await Service.Grains.GetGrain<ITenantGrain>(device.Tenant.TenantId).GetCaAsync())!;
        using var issuing = X509CertificateLoader.LoadCertificate(ca.IssuingCertificate);
        var genuine = X509CertificateLoader.LoadCertificate(device.Store.Load()!.Metadata.CertificateChain[0]);
        using var forged = Forge(genuine, forgery == "self-signed" ? null : issuing.SubjectName);

        using var client = ClientPresenting(forged);
        var answer = await client.PostAsync(TokenPath, new StringContent(Body(RelyingParty.Audience), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal("Unauthenticated", ErrorIn(await answer.Content.ReadAsStringAsync()));

        // and with no certificate at all, on the device port or the plain API port
        using var none = ClientPresenting(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.PostAsync(TokenPath, new StringContent(Body(RelyingParty.Audience), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        using var plain = new HttpClient { BaseAddress = Service.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.PostAsync(TokenPath, new StringContent(Body(RelyingParty.Audience), System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.DoesNotContain(await Service.ReadAuditLogAsync(device.Tenant.TenantId), e => e.Event.Action == "token" && e.Event.Outcome == "issued");
    }

    /// <summary>A leaf with the genuine certificate's subject and SAN on a new key, self-signed or under a new CA named <paramref name="issuerName"/>.</summary>
    private static X509Certificate2 Forge(X509Certificate2 genuine, X500DistinguishedName? issuerName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(genuine.SubjectName, key, HashAlgorithmName.SHA256);
        foreach (var extension in genuine.Extensions.Where(e => e is X509SubjectAlternativeNameExtension or X509EnhancedKeyUsageExtension or X509KeyUsageExtension))
            request.CertificateExtensions.Add(extension);
        var now = DateTimeOffset.UtcNow;
        if (issuerName is null)
        {
            using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
            return X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
        }
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var caRequest = new CertificateRequest(issuerName, caKey, HashAlgorithmName.SHA384);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var fakeCa = caRequest.CreateSelfSigned(now.AddMinutes(-10), now.AddHours(2));
        using var leaf = request.Create(fakeCa, now.AddMinutes(-5), now.AddHours(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = leaf.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private HttpClient ClientPresenting(X509Certificate2? certificate)
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true, ClientCertificateOptions = ClientCertificateOption.Manual };
        if (certificate is not null) handler.ClientCertificates.Add(certificate);
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{tokens.DeviceTlsPort}") };
    }
}
