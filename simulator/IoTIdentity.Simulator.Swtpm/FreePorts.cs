using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Simulator.Swtpm;

/// <summary>Free loopback ports for in-process services, brokers and silos, so runs and tests never collide on fixed ports.</summary>
public static class FreePorts
{
    /// <summary>
    /// A loopback port that was free a moment ago, drawn below the kernel's ephemeral range: a port from
    /// <c>bind(0)</c> is one the kernel also hands to outgoing connections, so a service restarted on the port it was
    /// given that way (a test restarting the service while dozens of test processes open connections) could find it
    /// taken — a fresh-clone CI run's restarted MQTT endpoint failed with "Address already in use".
    /// </summary>
    public static int Next() => NextRun(1);

    /// <summary>
    /// A loopback port that, with the one after it, was free a moment ago (swtpm's data and control ports), drawn below
    /// the kernel's ephemeral range: a port the kernel hands out for <c>bind(0)</c> is odd and its successor is where it
    /// puts outgoing connections first, so under many connections (a test run's) that successor was nearly always taken.
    /// </summary>
    public static int NextPair() => NextRun(2);

    private static int NextRun(int length)
    {
        var ephemeralLow = EphemeralPortRangeStart();
        // half the range handed out: start over (the earliest are long released by then)
        if (Given.Count > (ephemeralLow - 1025) / 2) Given.Clear();
        for (var i = 0; i < 200; i++)
        {
            var port = Random.Shared.Next(1025, ephemeralLow - length + 1);
            var run = Enumerable.Range(port, length).ToList();
            // a port drawn for one listener and not yet bound is free too: never hand it out twice (a service started on
            // two drawn ports that were the same refused to start, "two listeners are configured on one port")
            if (run.Any(Given.ContainsKey) || !run.All(CanListen)) continue;
            if (run.All(p => Given.TryAdd(p, 0)) && run.All(ReserveAcrossProcesses)) return port;
        }
        throw new InvalidOperationException($"no {length} free consecutive loopback port(s) found below {ephemeralLow}");
    }

    /// <summary>Ports this process was handed, so none is handed out twice.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> Given = new();

    /// <summary>How long a port drawn by one process is not drawn by another: its listener is bound well within it.</summary>
    internal static readonly TimeSpan Reservation = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where processes mark the ports they drew (a file per port, made with O_EXCL), so that two processes drawing at
    /// the same moment — test assemblies run side by side, each starting silos, brokers and swtpms — never both take a
    /// port that was free for each of them a moment ago and start on it together ("Address already in use"). A mark
    /// older than <see cref="Reservation"/> is stale: its port was bound long ago or given up.
    /// </summary>
    internal static readonly string Marks = Path.Combine(Path.GetTempPath(), "iotid-free-ports");

    /// <summary>Marks <paramref name="port"/> as this process's for <see cref="Reservation"/>; false when another process holds a fresh mark.</summary>
    internal static bool ReserveAcrossProcesses(int port)
    {
        var mark = Path.Combine(Marks, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Marks);
                using (new FileStream(mark, FileMode.CreateNew, FileAccess.Write, FileShare.None)) return true;
            }
            catch (IOException) when (File.Exists(mark))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(mark) < Reservation) return false;
                File.Delete(mark);   // stale: take it over
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return true;   // no place to mark in: this process's own bookkeeping still holds
            }
        }
        return false;
    }

    /// <summary>Whether a listener can bind 127.0.0.1:<paramref name="port"/> now (it is released at once).</summary>
    private static bool CanListen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range), 32768 when unknown.</summary>
    private static int EphemeralPortRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return range.Length > 0 && int.TryParse(range[0], out var low) && low > 2048 ? low : 32768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 32768;
        }
    }
}
