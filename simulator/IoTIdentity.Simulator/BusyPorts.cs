using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Simulator;

/// <summary>
/// Checks, before anything starts, that the ports the demo's service will listen on are free, so a busy port is one
/// line naming it and the option that changes it instead of a bind exception from deep inside the host.
/// </summary>
public static class BusyPorts
{
    /// <summary>
    /// The first busy port among the HTTP <paramref name="urls"/> (<c>;</c>-separated, as ASP.NET Core reads them) and
    /// the MQTT TLS <paramref name="mqttPort"/> (on loopback), as a sentence naming the option; null when all are free.
    /// Port 0 (any free port) is never busy.
    /// </summary>
    public static string? Find(string urls, int mqttPort)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return $"--urls {url}: expected http://host:port";
            var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : IPAddress.Any;
            if (uri.Port != 0 && InUse(address, uri.Port))
                return $"port {uri.Port} (HTTP API, {url}) is in use; choose another with --urls {uri.Scheme}://{uri.Host}:<port>";
        }
        return mqttPort != 0 && InUse(IPAddress.Loopback, mqttPort)
            ? $"port {mqttPort} (MQTT TLS) is in use; choose another with --mqtt-port <port> (0: any free port)"
            : null;
    }

    private static bool InUse(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            listener.Stop();
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return true;
        }
    }
}
