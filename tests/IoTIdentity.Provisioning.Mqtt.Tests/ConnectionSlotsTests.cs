using System.Net;
using System.Net.Sockets;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The places under a connection cap, which both the MQTT endpoint's listeners and the HTTP listeners take at accept and
/// give back at close: a take succeeds exactly while fewer than the cap are held, in any order and from any number of
/// threads at once.
/// </summary>
public sealed class ConnectionSlotsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(8, 3)]
    [InlineData(50, 4)]
    public void In_any_order_of_takes_and_releases_a_take_succeeds_exactly_while_places_are_left(int cap, int seed)
    {
        var slots = new ConnectionSlots(cap);
        var random = new Random(seed);
        var held = 0;
        for (var step = 0; step < 2_000; step++)
        {
            if (held > 0 && random.Next(2) == 0)
            {
                slots.Release();
                held--;
            }
            else
            {
                var taken = slots.TryTake();
                Assert.Equal(held < cap, taken);
                if (taken) held++;
            }

            Assert.Equal(held, slots.Held);
        }
    }

    [Fact]
    public async Task Threads_racing_for_the_places_never_hold_more_than_the_cap_and_give_every_place_back()
    {
        const int Cap = 3; // fewer than the threads, so a wrong take would show as more inside
        var slots = new ConnectionSlots(Cap);
        var inside = 0;
        var most = 0;
        var refused = 0;
        using var start = new Barrier(8);
        var racers = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 5_000; i++)
            {
                if (!slots.TryTake())
                {
                    Interlocked.Increment(ref refused);
                    continue;
                }

                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                Thread.Yield(); // held across a switch: the others race for the places meanwhile
                Interlocked.Decrement(ref inside);
                slots.Release();
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(racers);

        Assert.InRange(most, 1, Cap);
        Assert.Equal(0, slots.Held);
        Assert.True(slots.TryTake());
    }

    [Fact]
    public void Without_a_cap_every_take_succeeds()
    {
        var slots = new ConnectionSlots(null);

        Assert.All(Enumerable.Range(0, 10_000), _ => Assert.True(slots.TryTake()));
        Assert.Equal(10_000, slots.Held);
        Assert.Null(slots.Cap);
    }

    [Fact]
    public async Task A_socket_reset_on_close_ends_its_peers_connection_with_a_reset_not_an_end_of_stream()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync();

        ConnectionSlots.ResetOnClose(accepted);
        accepted.Dispose();
        ConnectionSlots.ResetOnClose(accepted); // closed already: nothing to do, nothing thrown

        var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[1]));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
        }
    }
}
