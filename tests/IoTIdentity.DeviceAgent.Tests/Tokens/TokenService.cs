using System.Globalization;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// The service for the token tests: its HTTP API on a free loopback port that is also its public base URL, so the
/// issuer in its tokens and the URLs in its discovery documents are where a relying party really reaches it; and an
/// HTTPS listener that asks devices for their certificate (<see cref="DeviceTlsPort"/>).
/// </summary>
public sealed class TokenService : IAsyncLifetime
{
    public TokenService()
    {
        var url = $"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}";
        DeviceTlsPort = FreePorts.Next();
        var port = DeviceTlsPort.ToString(CultureInfo.InvariantCulture);
        Service = ServiceFixture.With(new Dictionary<string, string?>
        {
            ["Urls"] = $"{url};https://127.0.0.1:{port}", ["Provisioning:PublicBaseUrl"] = url, ["Http:DeviceCertificatePort"] = port,
        });
    }

    public ServiceFixture Service { get; }

    /// <summary>The HTTPS port on which the service asks for TLS client certificates.</summary>
    public int DeviceTlsPort { get; }

    /// <summary>The certificate the service presents on <see cref="DeviceTlsPort"/>, as read from a handshake.</summary>
    public async Task<X509Certificate2> DeviceTlsServerCertificateAsync()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", DeviceTlsPort);
        X509Certificate2? presented = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true;
        });
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        return presented ?? throw new InvalidOperationException("the device TLS port presented no certificate");
    }

    /// <summary>A swtpm device enrolled by the agent in a new tenant whose default group grants <see cref="RelyingParty.Scope"/> for <see cref="RelyingParty.Audience"/>.</summary>
    public async Task<AgentHarness> DeviceWithPolicyAsync()
    {
        var device = await AgentHarness.StartAsync(Service, TimeSpan.FromMinutes(30));
        await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        using var http = device.Tenant.Http;
        var put = await http.PutAsJsonAsync("/api/v1/enrollment-groups/default/token-policy", new TokenPolicyView
        {
            Audiences = new Dictionary<string, IReadOnlyList<string>> { [RelyingParty.Audience] = [RelyingParty.Scope] },
        });
        Assert.True(put.StatusCode == System.Net.HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        return device;
    }

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}
