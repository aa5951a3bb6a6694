using System.Net;
using System.Net.Sockets;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// Another process listening on one of the service's ports: told as one line naming the setting and the address (exit
/// <see cref="ExitCode"/>), not as a crash (an unhandled exception, SIGABRT, exit 134). The service tries each
/// configured listener before it starts anything (<see cref="Taken"/>); a port taken in the moment between that check
/// and the bind is still told as a conflict (<see cref="Describe"/>). Two of its own listeners on one port are a
/// configuration the service refuses (<see cref="Overlapping"/>).
/// </summary>
public static class PortConflicts
{
    /// <summary>
    /// The process's exit code for such a refusal: <c>EX_TEMPFAIL</c> (75, sysexits.h). Unlike a refused configuration
    /// (<see cref="ServiceConfigurationException.ExitCode"/>), a restart may succeed once the other process is gone (an
    /// old instance still stopping), so a supervisor may go on restarting.
    /// </summary>
    public const int ExitCode = 75;

    /// <summary>How every such refusal begins (a launcher that drew the ports itself may draw again).</summary>
    public const string Words = "another process already listens on a port this service is configured to listen on";

    /// <summary>What a refusal says when <paramref name="taken"/> (from <see cref="Taken"/>) is not empty.</summary>
    public static string Refusal(IEnumerable<string> taken) => $"{Words}: {string.Join(", ", taken)}; stop that process or configure another port";

    /// <summary>What the refusal of a configuration says when <paramref name="overlapping"/> (from <see cref="Overlapping"/>) is not empty.</summary>
    public static string OverlapRefusal(IEnumerable<string> overlapping) =>
        $"two listeners are configured on one port: {string.Join("; ", overlapping)}; give each its own port";

    /// <summary>
    /// Pairs of the service's own listeners that would take one port (the same address, or the wildcard address and any
    /// other), as "<c>Urls (…) and Mqtt:TlsPort (…)</c>"; empty when none do.
    /// </summary>
    public static IReadOnlyList<string> Overlapping(IReadOnlyList<(string Setting, IPEndPoint Endpoint)> listeners) =>
    [
        .. listeners.SelectMany((a, i) => listeners.Skip(i + 1)
            .Where(b => a.Endpoint.Port == b.Endpoint.Port && a.Endpoint.AddressFamily == b.Endpoint.AddressFamily
                && (a.Endpoint.Address.Equals(b.Endpoint.Address) || IsWildcard(a.Endpoint.Address) || IsWildcard(b.Endpoint.Address)))
            .Select(b => $"{a.Setting} ({a.Endpoint}) and {b.Setting} ({b.Endpoint})")),
    ];

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    /// <summary>The listeners another process holds now, each as its setting and address.</summary>
    public static IReadOnlyList<string> Taken(IReadOnlyList<(string Setting, IPEndPoint Endpoint)> listeners) =>
        [.. listeners.Where(l => !CanListen(l.Endpoint)).Select(l => $"{l.Setting} ({l.Endpoint})").Distinct()];

    /// <summary>
    /// What the refusal says when <paramref name="failure"/>, thrown by the run, is an address in use, or null when it is
    /// not one. Kestrel and the MQTT endpoint name the address they could not bind; Orleans does not, so its listeners
    /// are named from <paramref name="listeners"/>.
    /// </summary>
    public static string? Describe(Exception failure, IReadOnlyList<(string Setting, IPEndPoint Endpoint)> listeners)
    {
        if (!Chain(failure).Any(e => e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })) return null;
        var named = Chain(failure).OfType<IOException>().FirstOrDefault()?.Message;
        return Refusal([named ?? string.Join(" or ", listeners.Where(l => l.Setting.StartsWith("Orleans:", StringComparison.Ordinal)).Select(l => $"{l.Setting} ({l.Endpoint})"))]);
    }

    /// <summary>The listeners the configuration asks for, each with the setting that names its port.</summary>
    /// <param name="services">The built host's services (the MQTT and Orleans endpoint options).</param>
    /// <param name="configuration">The service's configuration (<c>Urls</c>, or <c>Kestrel:Endpoints</c>).</param>
    public static IReadOnlyList<(string Setting, IPEndPoint Endpoint)> Listeners(IServiceProvider services, IConfiguration configuration) =>
        [.. Configured(services, configuration)];

    private static IEnumerable<(string Setting, IPEndPoint Endpoint)> Configured(IServiceProvider services, IConfiguration configuration)
    {
        foreach (var (setting, url) in ManagementHttps.Endpoints(configuration))
        {
            // Kestrel: an IP address is bound as given, localhost on loopback, any other host (+, *, a name) on every address
            if (!Uri.TryCreate(url.Replace("://+", "://any", StringComparison.Ordinal).Replace("://*", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri)) continue;
            var address = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : uri.IsLoopback ? IPAddress.Loopback : IPAddress.Any;
            yield return (setting, new IPEndPoint(address, uri.Port));
        }

        var mqtt = services.GetService<IOptions<MqttEndpointOptions>>()?.Value;
        if (mqtt is { Mode: MqttMode.Embedded })
        {
            var address = IPAddress.TryParse(mqtt.BindAddress, out var bound) ? bound : IPAddress.Any;
            if (mqtt.TlsPort != 0) yield return ("Mqtt:TlsPort", new IPEndPoint(address, mqtt.TlsPort));
            if (mqtt is { AllowPlaintext: true, PlaintextPort: not 0 }) yield return ("Mqtt:PlaintextPort", new IPEndPoint(address, mqtt.PlaintextPort));
        }

        var orleans = services.GetService<IOptions<EndpointOptions>>()?.Value;
        if (orleans is null) yield break;
        // Orleans listens on its listening endpoint, by default the advertised address (loopback under localhost clustering)
        if (orleans.SiloPort != 0)
            yield return ("Orleans:SiloPort", orleans.SiloListeningEndpoint ?? new IPEndPoint(orleans.AdvertisedIPAddress ?? IPAddress.Any, orleans.SiloPort));
        if (orleans.GatewayPort != 0)
            yield return ("Orleans:GatewayPort", orleans.GatewayListeningEndpoint ?? new IPEndPoint(orleans.AdvertisedIPAddress ?? IPAddress.Any, orleans.GatewayPort));
    }

    /// <summary>Whether a listener can take <paramref name="endpoint"/> now (released at once); the wildcard address meets a listener on any address.</summary>
    private static bool CanListen(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static IEnumerable<Exception> Chain(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
                yield break;
            }
        }
    }
}
