using System.Net;
using System.Net.Sockets;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Tests;

/// <summary>Ports handed to services and swtpm come from below the kernel's ephemeral range and can be bound.</summary>
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
    public void A_port_held_by_a_listener_is_never_handed_out()
    {
        var held = Enumerable.Range(0, 20).Select(_ => new TcpListener(IPAddress.Loopback, FreePorts.Next())).ToList();
        try
        {
            foreach (var listener in held) listener.Start();
            var taken = held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToHashSet();
            for (var i = 0; i < 500; i++) Assert.DoesNotContain(FreePorts.Next(), taken);
        }
        finally
        {
            foreach (var listener in held) listener.Dispose();
        }
    }
}
