using System.Net;
using System.Net.Sockets;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The tests' power cut (<see cref="VanishingPeer.Drop"/>) is a rule of the whole machine, and test assemblies run side
/// by side: it must silence the one connection it is given and nothing else — not another connection that uses the same
/// port number at either end, not a new connection to the same server — and give the connection back once removed.
/// </summary>
public sealed class VanishingPeerTests
{
    [Fact]
    public async Task A_dropped_connection_hears_nothing_while_others_on_its_port_numbers_go_on_and_it_resumes_once_the_rule_is_gone()
    {
        using var server = Listen();
        using var other = Listen();
        var serverPort = ((IPEndPoint)server.LocalEndpoint).Port;

        var (dropped, droppedPeer) = await ConnectAsync(server, localPort: 0);
        var localPort = ((IPEndPoint)dropped.LocalEndPoint!).Port;
        // the same local port number, to another server: the rule on a local port alone dropped this one too
        var (samePort, samePortPeer) = await ConnectAsync(other, localPort);
        using (dropped)
        using (droppedPeer)
        using (samePort)
        using (samePortPeer)
        {
            var rule = VanishingPeer.Drop(localPort, serverPort);
            try
            {
                await dropped.SendAsync(new byte[] { 1 });
                await droppedPeer.SendAsync(new byte[] { 2 });
                Assert.False(await ArrivesAsync(droppedPeer, TimeSpan.FromSeconds(2)), "a byte of the dropped connection reached the server");
                Assert.Equal(0, dropped.Available);   // nor the server's byte the client, in the same two seconds

                await AssertCarriesAsync(samePort, samePortPeer);
                var (fresh, freshPeer) = await ConnectAsync(server, localPort: 0);   // the server's port, another connection
                using (fresh)
                using (freshPeer)
                    await AssertCarriesAsync(fresh, freshPeer);
            }
            finally
            {
                rule.Dispose();
            }
            // TCP sends both bytes again once nothing drops them
            Assert.True(await ArrivesAsync(droppedPeer, TimeSpan.FromSeconds(10)), "the server's side never got the byte once the rule was removed");
            Assert.True(await ArrivesAsync(dropped, TimeSpan.FromSeconds(10)), "the client's side never got the byte once the rule was removed");
        }
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    /// <summary>A connection to <paramref name="listener"/> from <paramref name="localPort"/> (0: any), and its accepted end.</summary>
    private static async Task<(Socket Client, Socket Peer)> ConnectAsync(TcpListener listener, int localPort)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        // two connected sockets may share a local port when both allow it and their remote ends differ
        client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        client.Bind(new IPEndPoint(IPAddress.Loopback, localPort));
        var accepted = listener.AcceptSocketAsync();
        await client.ConnectAsync(listener.LocalEndpoint).Within();
        return (client, await accepted.Within());
    }

    private static async Task AssertCarriesAsync(Socket client, Socket peer)
    {
        await client.SendAsync(new byte[] { 3 });
        Assert.True(await ArrivesAsync(peer, TimeSpan.FromSeconds(10)), "a connection the rule does not name lost a byte");
        await peer.SendAsync(new byte[] { 4 });
        Assert.True(await ArrivesAsync(client, TimeSpan.FromSeconds(10)), "a connection the rule does not name lost a byte");
    }

    /// <summary>Whether a byte arrives at <paramref name="socket"/> within <paramref name="patience"/>.</summary>
    private static async Task<bool> ArrivesAsync(Socket socket, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token) == 1;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
