using System.Globalization;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>
/// A process's established TCP connections to a remote port, as Linux's <c>/proc</c> shows them: its socket descriptors
/// in <c>/proc/{pid}/fd</c>, matched by inode in <c>/proc/net/tcp</c> and <c>tcp6</c>. What the simulator's power cut
/// silences, and what the tests make vanish; and the connections waiting on a listener.
/// </summary>
public static class TcpConnections
{
    /// <summary>One established connection: the descriptor that holds it in its process, and its local port.</summary>
    public readonly record struct Connection(int Descriptor, int LocalPort);

    /// <summary>The established TCP connections of <paramref name="processId"/> whose remote port is <paramref name="remotePort"/>.</summary>
    public static IReadOnlyList<Connection> To(int processId, int remotePort)
    {
        var established = new Dictionary<string, int>(StringComparer.Ordinal);   // socket inode → local port
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 10 && fields[3] == "01" && Port(fields[2]) == remotePort) established[fields[9]] = Port(fields[1]);   // 01: ESTABLISHED
            }
        var connections = new List<Connection>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd"))
        {
            if (new FileInfo(fd).LinkTarget is not { } target || !target.StartsWith("socket:[", StringComparison.Ordinal)
                || !established.TryGetValue(target[8..^1], out var localPort)) continue;
            if (int.TryParse(Path.GetFileName(fd), NumberStyles.None, CultureInfo.InvariantCulture, out var descriptor)) connections.Add(new Connection(descriptor, localPort));
        }
        return connections;
    }

    /// <summary>
    /// How many completed connections wait to be accepted on the IPv4 listener of local port <paramref name="port"/> (a
    /// listening socket's <c>rx_queue</c> in <c>/proc/net/tcp</c> is its accept queue), or null when nothing listens there.
    /// </summary>
    public static int? AcceptQueue(int port)
    {
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[3] == "0A" && Port(fields[1]) == port)   // 0A: LISTEN
                return int.Parse(fields[4][(fields[4].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return null;
    }

    private static int Port(string addressAndPort) =>
        int.Parse(addressAndPort[(addressAndPort.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
