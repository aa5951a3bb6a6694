using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace IoTIdentity.TestKit;

/// <summary>
/// A client connection that ends the way a device's does when it loses power: without a FIN or a reset, so the server
/// holds a connection whose peer is gone. <see cref="Reboot"/>: the peer's stack forgets the connection (a device that
/// rebooted at the same address), so the next packet the server sends it is answered with a reset.
/// <see cref="Disappear"/> and <see cref="Drop"/>: nothing answers at all (a device gone from the network, or at another
/// address now, or one that lost power: the process killed behind a dropped port sends nothing that arrives). Needs
/// root (<see cref="RootPrivileges"/>): TCP_REPAIR and nftables need CAP_NET_ADMIN.
/// </summary>
public static class VanishingPeer
{
    private const int SolTcp = 6;
    private const int TcpRepair = 19;
    private const int TcpRepairQueue = 20;
    private const int TcpSendQueue = 2;

    /// <summary>
    /// Closes <paramref name="socket"/> in TCP repair mode with its send queue selected, in which the kernel transmits
    /// nothing: no FIN (not even for a shutdown, which a <see cref="NetworkStream"/> does before it closes), no reset.
    /// </summary>
    public static void Reboot(Socket socket)
    {
        RootPrivileges.Require("closing a connection without a FIN (TCP_REPAIR)");
        socket.SetRawSocketOption(SolTcp, TcpRepair, BitConverter.GetBytes(1));
        socket.SetRawSocketOption(SolTcp, TcpRepairQueue, BitConverter.GetBytes(TcpSendQueue));
        socket.Close();
    }

    /// <summary>
    /// Drops every packet of <paramref name="socket"/>'s connection (<see cref="Drop"/>), then closes the socket, whose
    /// FIN is dropped too. Disposing the result removes the rule.
    /// </summary>
    public static IDisposable Disappear(Socket socket)
    {
        var dropped = Drop(((IPEndPoint)socket.LocalEndPoint!).Port, ((IPEndPoint)socket.RemoteEndPoint!).Port);
        socket.Close();
        return dropped;
    }

    /// <summary>
    /// Drops every TCP packet of the loopback connection between local port <paramref name="localPort"/> and remote port
    /// <paramref name="remotePort"/>, both ways (an nftables table of its own), until the result is disposed: whatever
    /// the connection's process or kernel sends from then on, even as the process is killed, goes nowhere, and nothing
    /// reaches it. Only that pair of ports: the rule is the machine's, and a rule on the local port alone also dropped
    /// every other connection that used the port number at either end — a test running beside it whose connect drew
    /// that ephemeral port waited out its SYN retransmissions (ConnectionFloodTests timed out so in CI).
    /// </summary>
    public static IDisposable Drop(int localPort, int remotePort)
    {
        RootPrivileges.Require("dropping a connection's packets (nftables)");
        return new DroppedConnection(localPort, remotePort);
    }

    /// <summary>
    /// The local ports of <paramref name="processId"/>'s established TCP connections to remote port
    /// <paramref name="remotePort"/> (<see cref="IoTIdentity.Simulator.Swtpm.TcpConnections"/>).
    /// </summary>
    public static IReadOnlyList<int> LocalPortsOf(int processId, int remotePort) =>
        [.. IoTIdentity.Simulator.Swtpm.TcpConnections.To(processId, remotePort).Select(c => c.LocalPort).Distinct()];

    private sealed class DroppedConnection : IDisposable
    {
        private readonly string _table = "iotid_vanish_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        private bool _removed;

        public DroppedConnection(int localPort, int remotePort)
        {
            var (local, remote) = (localPort.ToString(System.Globalization.CultureInfo.InvariantCulture), remotePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Nft("add", "table", "inet", _table);
            try
            {
                // on loopback both directions leave through the output hook
                Nft("add", "chain", "inet", _table, "out", "{ type filter hook output priority 0 ; }");
                Nft("add", "rule", "inet", _table, "out", "tcp", "sport", local, "tcp", "dport", remote, "drop");
                Nft("add", "rule", "inet", _table, "out", "tcp", "sport", remote, "tcp", "dport", local, "drop");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            if (_removed) return;
            _removed = true;
            Nft("delete", "table", "inet", _table);
        }

        private static void Nft(params string[] arguments)
        {
            using var nft = Process.Start(new ProcessStartInfo("nft", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
                ?? throw new InvalidOperationException("nft could not be started: apt-get install nftables");
            var error = nft.StandardError.ReadToEnd();
            nft.WaitForExit();
            if (nft.ExitCode != 0) throw new InvalidOperationException($"nft {string.Join(' ', arguments)} failed ({nft.ExitCode}): {error.Trim()}");
        }
    }
}
