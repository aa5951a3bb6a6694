using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The probe's settings on a real connected socket: on while anyone asks, the socket's own settings back after the last
/// asker, whatever the order the askers stop in and whatever the socket had before; a closed socket is asked quietly.
/// </summary>
public sealed class LivenessProbeTests
{
    private static (Socket Server, Socket Client, Socket Listener) Pair()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return (listener.Accept(), client, listener);
    }

    private const int SolTcp = 6;
    private const int TcpUserTimeout = 18;

    private static (bool On, int Idle, int Interval, int Count, int UserTimeout) Read(Socket s)
    {
        var userTimeout = new byte[sizeof(int)];
        s.GetRawSocketOption(SolTcp, TcpUserTimeout, userTimeout);
        return (
            (int)s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)! != 0,
            (int)s.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!,
            (int)s.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!,
            (int)s.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!,
            BitConverter.ToInt32(userTimeout));
    }

    [Fact]
    public void Asked_by_any_number_in_any_order_the_socket_probes_while_one_asks_and_gets_its_own_settings_back_after_the_last()
    {
        var random = new Random(Environment.TickCount);
        for (var trial = 0; trial < 50; trial++)
        {
            var (server, client, listener) = Pair();
            using (server)
            using (client)
            using (listener)
            {
                if (random.Next(2) == 0)
                {
                    // a socket with keepalive settings of its own
                    server.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, random.Next(2, 600));
                    server.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, random.Next(2, 60));
                    server.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, random.Next(4, 20));
                    server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, random.Next(2) == 0);
                    server.SetRawSocketOption(SolTcp, TcpUserTimeout, BitConverter.GetBytes(random.Next(0, 120_000)));
                }
                var own = Read(server);
                var probe = new LivenessProbe(server);
                var probing = (true, LivenessProbe.IdleSeconds, LivenessProbe.IntervalSeconds, LivenessProbe.Probes, (int)LivenessProbe.UserTimeout.TotalMilliseconds);
                var asking = Enumerable.Range(0, random.Next(1, 6)).Select(_ => probe.Ask()).ToList();
                Assert.Equal(probing, Read(server));
                while (asking.Count > 0)
                {
                    var at = random.Next(asking.Count);
                    asking[at].Dispose();
                    asking[at].Dispose();   // twice: counted once
                    asking.RemoveAt(at);
                    Assert.Equal(asking.Count > 0 ? probing : own, Read(server));
                    if (random.Next(4) == 0) asking.Add(probe.Ask());   // a new asker while others ask
                }
                Assert.Equal(own, Read(server));
            }
        }
    }

    [Fact]
    public void A_closed_socket_is_asked_and_let_go_without_an_exception()
    {
        var (server, client, listener) = Pair();
        using (client)
        using (listener)
        {
            var probe = new LivenessProbe(server);
            var before = probe.Ask();
            server.Dispose();
            before.Dispose();
            probe.Ask().Dispose();
        }
    }
}
