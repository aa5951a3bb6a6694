using System.Net;
using System.Net.Sockets;
using MQTTnet.Channel;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The MQTT client's TCP connections over sockets the test opens and holds (MQTTnet's stream provider; the client puts
/// its TLS on top), so that a test can end one as a device that lost power does (<see cref="IoTIdentity.TestKit.VanishingPeer"/>).
/// </summary>
internal sealed class OwnSockets : IMqttClientStreamProvider
{
    private readonly List<Socket> _opened = [];

    /// <summary>The sockets opened so far, in order.</summary>
    public IReadOnlyList<Socket> Opened
    {
        get
        {
            lock (_opened) return [.. _opened];
        }
    }

    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(brokerEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        lock (_opened) _opened.Add(socket);
        return new NetworkStream(socket, ownsSocket: true);
    }
}
