using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Development mode serves an <c>https://</c> URL with no certificate configured: the service's development certificate
/// (the MQTT endpoint's, written to the data directory); HSTS is sent in production only.
/// </summary>
public sealed class DevelopmentHttpsTests
{
    [Fact]
    public async Task Development_mode_serves_HTTPS_with_the_development_certificate_and_no_HSTS()
    {
        var data = Directory.CreateTempSubdirectory("iotid-dev-https-").FullName;
        try
        {
            var settings = InProcessServiceSettings.For(data, [new("Provisioning:Mode", "Development"), new("Urls", "https://127.0.0.1:0")]);
            await using var app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            byte[]? presented = null;
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => (presented = certificate?.RawData) is not null };
            using var http = new HttpClient(handler) { BaseAddress = address };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit/checkpoint-key");
            request.Headers.Host = "iot.example.com";   // HSTS is never sent to localhost, so ask as a named host

            using var response = await http.SendAsync(request);

            Assert.Equal("https", address.Scheme);
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
            using var development = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "mqtt-dev-cert.pem")));
            Assert.Equal(development.RawData, presented);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS in development mode");
            await app.StopAsync();
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
