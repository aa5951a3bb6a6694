using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Where the console reaches this process's own HTTP API: <c>Console:ApiAddress</c> when set, else the first
/// address the server listens on (plain HTTP preferred), with a wildcard host read as loopback.
/// </summary>
public static class ConsoleApiAddress
{
    /// <summary>The configuration key that overrides the address.</summary>
    public const string Key = "Console:ApiAddress";

    /// <summary>A resolver of the address, read when the console first calls the API (after the server started).</summary>
    public static Func<Uri> Resolver(IServiceProvider services, IConfiguration configuration) => () =>
    {
        if (configuration[Key] is { Length: > 0 } configured) return new Uri(configured);
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"the server listens on no address the console could call; set {Key}");
        return Loopback(address);
    };

    /// <summary>A listening address as a client calls it: <c>+</c>, <c>*</c>, <c>0.0.0.0</c> and <c>[::]</c> become loopback.</summary>
    public static Uri Loopback(string address)
    {
        var wildcard = address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1")
            .Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://[::1]");
        return new Uri(wildcard);
    }
}
