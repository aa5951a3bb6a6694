using System.Net;
using System.Net.Sockets;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Tests;

/// <summary>Ports handed to services and swtpm come from below the kernel's ephemeral range, can be bound, and are never handed out twice.</summary>
public sealed class FreePortsTests
{
    private static int EphemeralLow() =>
        int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0]);

    [Fact]
    public void Every_port_and_pair_is_below_the_ephemeral_range_and_free_to_listen_on()
    {
        var low = EphemeralLow();
        for (var i = 0; i < 50; i++)
        {
            var port = FreePorts.Next();
            Assert.InRange(port, 1025, low - 1);
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();   // throws if the port was not free

            var pair = FreePorts.NextPair();
            Assert.InRange(pair, 1025, low - 2);
            using var data = new TcpListener(IPAddress.Loopback, pair);
            using var control = new TcpListener(IPAddress.Loopback, pair + 1);
            data.Start();
            control.Start();
        }
    }

    [Fact]
    public void No_port_is_handed_out_twice_in_one_process()
    {
        // 2,000 draws from ≈ 31,000 ports: drawn at random alone, some 60 would repeat (and two listeners of one
        // service would be given one port); other tests' draws in this process only take more ports away
        var drawn = new List<int>();
        for (var i = 0; i < 1000; i++)
        {
            drawn.Add(FreePorts.Next());
            var pair = FreePorts.NextPair();
            drawn.AddRange([pair, pair + 1]);
        }
        Assert.Equal(drawn.Count, drawn.Distinct().Count());
    }

    /// <summary>
    /// Across processes: a port another process marked a moment ago is not taken, one whose mark is stale is taken
    /// over, and an unmarked one is taken and marked (the mark another process then meets).
    /// </summary>
    [Fact]
    public void A_port_another_process_drew_a_moment_ago_is_not_taken_and_a_stale_mark_is_taken_over()
    {
        Directory.CreateDirectory(FreePorts.Marks);
        // ports above the range FreePorts draws from, so no draw of this process meets them
        var (fresh, stale, unmarked) = (EphemeralLow() + 101, EphemeralLow() + 102, EphemeralLow() + 103);
        string Mark(int port) => Path.Combine(FreePorts.Marks, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var port in new[] { fresh, stale, unmarked }) File.Delete(Mark(port));
        File.WriteAllText(Mark(fresh), "another process");
        File.WriteAllText(Mark(stale), "another process, long ago");
        File.SetLastWriteTimeUtc(Mark(stale), DateTime.UtcNow - FreePorts.Reservation - TimeSpan.FromSeconds(1));
        try
        {
            Assert.False(FreePorts.ReserveAcrossProcesses(fresh));
            Assert.True(FreePorts.ReserveAcrossProcesses(stale));
            Assert.True(FreePorts.ReserveAcrossProcesses(unmarked));
            Assert.False(FreePorts.ReserveAcrossProcesses(unmarked));   // as another process would meet it now
            Assert.True(DateTime.UtcNow - File.GetLastWriteTimeUtc(Mark(stale)) < FreePorts.Reservation);
        }
        finally
        {
            foreach (var port in new[] { fresh, stale, unmarked }) File.Delete(Mark(port));
        }
    }

    [Fact]
    public void A_port_held_by_a_listener_is_never_handed_out()
    {
        var held = new List<TcpListener>();
        try
        {
            while (held.Count < 20) held.Add(ListeningOnAFreePort());
            var taken = held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToHashSet();
            for (var i = 0; i < 500; i++) Assert.DoesNotContain(FreePorts.Next(), taken);
        }
        finally
        {
            foreach (var listener in held) listener.Dispose();
        }
    }

    /// <summary>A listener on a port <see cref="FreePorts"/> handed out, started at once; a port another process
    /// took in between (the suites run in parallel) is passed over for the next one: the held ports are the test's
    /// setting, not what it checks.</summary>
    private static TcpListener ListeningOnAFreePort()
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, FreePorts.Next());
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 10)
            {
                listener.Dispose();
            }
        }
    }
}
