using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// Makes management API clients for console sessions: each call goes to the service's own HTTP API (on loopback,
/// through one shared connection pool) with the session's key, exactly as the CLI calls it.
/// </summary>
public sealed class ConsoleApi(Func<Uri> address) : IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    /// <summary>Where the API is reached.</summary>
    public Uri Address => address();

    /// <summary>A client calling with <paramref name="apiKey"/>.</summary>
    public IotIdClient For(string apiKey) => new(Address, apiKey, _handler, TimeSpan.FromSeconds(30));

    /// <inheritdoc/>
    public void Dispose() => _handler.Dispose();
}
