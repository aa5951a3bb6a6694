using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Tpm.Tests.Transport;

internal static class ListenerExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }

    /// <summary>Stops the listener and returns the port it had: a port that, for a moment, nobody listens on.</summary>
    public static int StopAndGetPort(this TcpListener listener)
    {
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
