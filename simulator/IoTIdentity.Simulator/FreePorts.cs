using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Simulator;

/// <summary>Free loopback ports for the in-process silo, so runs and tests never collide on Orleans' defaults.</summary>
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
