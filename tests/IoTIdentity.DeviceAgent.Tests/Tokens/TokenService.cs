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
public class TokenService : IAsyncLifetime
{
    public TokenService() : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>The token service with <paramref name="settings"/> added to its configuration.</summary>
    protected TokenService(IReadOnlyDictionary<string, string?> settings)
    {
        var url = $"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}";
        DeviceTlsPort = FreePorts.Next();
        var port = DeviceTlsPort.ToString(CultureInfo.InvariantCulture);
        Service = ServiceFixture.With(new Dictionary<string, string?>(settings)
        {
            ["Urls"] = $"{url};https://127.0.0.1:{port}", ["Provisioning:PublicBaseUrl"] = url, ["Http:DeviceCertificatePort"] = port,
            // a token test asks one device for a dozen tokens within seconds; the per-device rate is not under test here
            ["Mqtt:DeviceRequestsPerWindow"] = "100",
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

    /// <summary>
    /// A swtpm device enrolled by the agent in a new tenant whose default group has <paramref name="policy"/>, by default
    /// granting <see cref="RelyingParty.Scope"/> for <see cref="RelyingParty.Audience"/>.
    /// </summary>
    public async Task<AgentHarness> DeviceWithPolicyAsync(TokenPolicyView? policy = null)
    {
        var device = await AgentHarness.StartAsync(Service, TimeSpan.FromMinutes(30));
        await device.NewAgent().EnrollAsync(null, CancellationToken.None);
        await PutPolicyAsync(device, policy ?? new TokenPolicyView
        {
            Audiences = new Dictionary<string, IReadOnlyList<string>> { [RelyingParty.Audience] = [RelyingParty.Scope] },
        });
        return device;
    }

    /// <summary>Replaces the token policy of <paramref name="device"/>'s default group.</summary>
    public static async Task PutPolicyAsync(AgentHarness device, TokenPolicyView policy)
    {
        using var http = device.Tenant.Http;
        var put = await http.PutAsJsonAsync("/api/v1/enrollment-groups/default/token-policy", policy);
        Assert.True(put.StatusCode == System.Net.HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}

/// <summary>The token service with <c>Mqtt:RequireAuthenticatedSession</c>: tokens only over a device's certificate-authenticated MQTT session.</summary>
public sealed class AuthenticatedTokenService() : TokenService(new Dictionary<string, string?> { ["Mqtt:RequireAuthenticatedSession"] = "true" });
