using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A production start with every secret configured: the management API answers over HTTPS only, with the configured
/// certificate, and sends HSTS; nothing is generated into the data directory.
/// </summary>
public sealed class ProductionStartTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("iotid-prod-start-").FullName;
    private readonly string _secrets = Directory.CreateTempSubdirectory("iotid-prod-secrets-").FullName;
    private X509Certificate2 _certificate = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=iot.example.com", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("iot.example.com");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(_secrets, "tls.crt"), _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_secrets, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        using var auditKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(Path.Combine(_secrets, "audit.pem"), auditKey.ExportPkcs8PrivateKeyPem());

        var settings = InProcessServiceSettings.For(_data, new Dictionary<string, string?>
        {
            ["Provisioning:Mode"] = "Production",
            ["Urls"] = "https://127.0.0.1:0",
            ["Http:CertificatePath"] = Path.Combine(_secrets, "tls.crt"),
            ["Http:CertificateKeyPath"] = Path.Combine(_secrets, "tls.key"),
            ["Mqtt:CertificatePath"] = Path.Combine(_secrets, "tls.crt"),
            ["Mqtt:CertificateKeyPath"] = Path.Combine(_secrets, "tls.key"),
            ["Provisioning:KeyEncryption:Current:KeyId"] = "prod-1",
            ["Provisioning:KeyEncryption:Current:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Provisioning:AuditSigning:KeyPath"] = Path.Combine(_secrets, "audit.pem"),
            ["Provisioning:AuditSigning:KeyId"] = "prod-audit-1",
            ["Provisioning:ServiceAdminKeyHash"] = Convert.ToHexString(ServiceAdminKeys.Hash(ServiceAdminKeys.New())),
        });
        _app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_secrets, recursive: true);
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_management_API_is_served_over_HTTPS_with_the_configured_certificate_and_HSTS()
    {
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Assert.Equal("https", address.Scheme);
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
                return true;
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit/checkpoint-key");
        request.Headers.Host = "iot.example.com";

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_certificate.Thumbprint, presented?.Thumbprint);
        Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no HSTS header");
        Assert.StartsWith("max-age=", Assert.Single(hsts));
        Assert.Contains("prod-audit-1", await response.Content.ReadAsStringAsync());
        Assert.False(File.Exists(Path.Combine(_data, "dev-kek.json")));
        Assert.False(File.Exists(Path.Combine(_data, "dev-audit-checkpoint-key.pem")));
        presented?.Dispose();
    }
}
