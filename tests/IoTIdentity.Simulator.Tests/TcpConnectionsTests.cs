using System.Net;
using System.Net.Sockets;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// <see cref="TcpConnections"/> finds exactly this process's established connections to a remote port, each with its
/// local port and a descriptor that is a socket of this process — not the listening side, not other ports' connections.
/// </summary>
public sealed class TcpConnectionsTests
{
    [Fact]
    public async Task A_process_s_connections_to_a_port_are_found_with_their_local_ports_and_nothing_else()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        using var other = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        other.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clients = new List<TcpClient>();
        var accepted = new List<TcpClient>();
        try
        {
            var count = Random.Shared.Next(1, 6);
            for (var i = 0; i < count; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                clients.Add(client);
                accepted.Add(await listener.AcceptTcpClientAsync());
            }
            var elsewhere = new TcpClient();
            await elsewhere.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)other.LocalEndpoint).Port);
            clients.Add(elsewhere);
            accepted.Add(await other.AcceptTcpClientAsync());

            var found = TcpConnections.To(Environment.ProcessId, port);

            Assert.Equal(clients.Take(count).Select(c => ((IPEndPoint)c.Client.LocalEndPoint!).Port).Order(), found.Select(c => c.LocalPort).Order());
            Assert.All(found, c => Assert.StartsWith("socket:[", new FileInfo($"/proc/self/fd/{c.Descriptor}").LinkTarget));
            Assert.Empty(TcpConnections.To(Environment.ProcessId, 1));
            Assert.Equal(0, TcpConnections.AcceptQueue(port));   // every connect accepted
        }
        finally
        {
            foreach (var client in clients.Concat(accepted)) client.Dispose();
        }
    }

    [Fact]
    public async Task A_listener_s_accept_queue_counts_the_connects_not_yet_accepted()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clients = new List<TcpClient>();
        try
        {
            var count = Random.Shared.Next(1, 8);
            for (var i = 0; i < count; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                clients.Add(client);
            }
            // the kernel queues a connect as the client's last ACK arrives, a moment after the client's connect returns
            Assert.Equal(count, await QueuedAsync(port, count));
            using (await listener.AcceptTcpClientAsync()) Assert.Equal(count - 1, TcpConnections.AcceptQueue(port));
            listener.Stop();
            Assert.Null(TcpConnections.AcceptQueue(port));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static async Task<int?> QueuedAsync(int port, int expected)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (TcpConnections.AcceptQueue(port) != expected && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
        return TcpConnections.AcceptQueue(port);
    }
}
