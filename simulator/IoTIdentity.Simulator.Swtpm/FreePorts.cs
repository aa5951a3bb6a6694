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
}
