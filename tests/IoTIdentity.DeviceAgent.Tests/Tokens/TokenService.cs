using System.Globalization;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.DeviceAgent.Tests.Tokens;

/// <summary>
/// The service for the token tests: its HTTP API on a free loopback port that is also its public base URL, so the
/// issuer in its tokens and the URLs in its discovery documents are where a relying party really reaches it.
/// </summary>
public sealed class TokenService : IAsyncLifetime
{
    public TokenService()
    {
        var url = $"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}";
        Service = ServiceFixture.With(new Dictionary<string, string?> { ["Urls"] = url, ["Provisioning:PublicBaseUrl"] = url });
    }

    public ServiceFixture Service { get; }

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}
