using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>Free loopback ports for in-process services, brokers and silos, so runs and tests never collide on fixed ports.</summary>
public static class FreePorts
{
    /// <summary>A port that was free a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port that, with the one after it, was free a moment ago: swtpm's data and control ports.</summary>
    public static int NextPair()
    {
        while (true)
        {
            var port = Next();
            if (port >= IPEndPoint.MaxPort) continue;
            try
            {
                using var control = new TcpListener(IPAddress.Loopback, port + 1);
                control.Start();
                return port;
            }
            catch (SocketException)
            {
                // the next port is taken: try another
            }
        }
    }
}
