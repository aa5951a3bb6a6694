using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime;
using MQTTnet;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// Limits the endpoint enforces below MQTTnet's packet reader: a declared packet length over the maximum closes the
/// connection before the packet is buffered (in every length encoding, on both listeners, measured in the process's
/// allocations and memory), and a client that stalls in its TLS handshake or before or inside its CONNECT is dropped after
/// the connect timeout (many at once: measured in the process's allocations, managed heap and working set).
/// </summary>
[Collection(MemoryMeasured.Name)]
public sealed class TransportLimitTests
{
    private const int Connections = 4;
    private const long Unguarded = 256L * 1024 * 1024;

    /// <summary>Fixed headers of a PUBLISH/CONNECT declaring a remaining length over a 4096-byte limit, in each varint width.</summary>
    public static TheoryData<byte[]> OversizedHeaders => new()
    {
        { [0x10, 0x81, 0x20] },                   // CONNECT, 4097 in two bytes
        { [0x30, 0x80, 0x80, 0x01] },             // PUBLISH, 16 KiB in three bytes
        { [0x10, 0x80, 0x80, 0x80, 0x01] },       // CONNECT, 2 MiB in four bytes
        { [0x32, 0xFF, 0xFF, 0xFF, 0x7F] },       // PUBLISH QoS 1, 256 MiB - 1, the largest MQTT allows
    };

    [Theory]
    [MemberData(nameof(OversizedHeaders))]
    public async Task A_declared_length_over_the_limit_closes_a_plaintext_connection_before_it_is_read(byte[] header)
    {
        await using var harness = await EndpointHarness.StartAsync(o => { o.AllowPlaintext = true; o.MaxPacketBytes = 4096; });

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", harness.Endpoint.PlaintextPort!.Value).Within();
        var stream = client.GetStream();
        await stream.WriteAsync(header).AsTask().Within();

        Assert.True(await ClosedByServerAsync(stream), "the endpoint closes the connection");
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.PacketTooLarge));
        Assert.Empty(harness.Handler.Received);
    }

    [Fact]
    public async Task Connections_declaring_256_MiB_packets_are_closed_without_the_process_allocating_them()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.AllowPlaintext = true);
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var (allocatedBefore, workingSetBefore) = (GC.GetTotalAllocatedBytes(precise: true), process.WorkingSet64);

        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync("127.0.0.1", harness.Endpoint.PlaintextPort!.Value).Within();
                await client.GetStream().WriteAsync(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F }).AsTask().Within();
            }
            foreach (var client in clients) Assert.True(await ClosedByServerAsync(client.GetStream()), "the endpoint closes the connection");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }

        process.Refresh();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var grown = process.WorkingSet64 - workingSetBefore;
        // unguarded, MQTTnet allocates each declared body up front: Connections × 256 MiB
        Assert.True(allocated < Unguarded / 4, $"allocated {allocated / 1024 / 1024} MiB for {Connections} declared 256 MiB packets");
        Assert.True(grown < Unguarded / 4, $"working set grew {grown / 1024 / 1024} MiB for {Connections} declared 256 MiB packets");
        Assert.Equal(Connections, harness.RefusalCount(MqttRefusals.PacketTooLarge));
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_closes_a_TLS_connection_before_it_is_read()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.MaxPacketBytes = 4096);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", harness.Endpoint.TlsPort).Within();
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost").Within();

        await tls.WriteAsync(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F }).AsTask().Within();

        Assert.True(await ClosedByServerAsync(tls), "the endpoint closes the connection");
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.PacketTooLarge));
    }

    [Fact]
    public async Task A_request_within_the_packet_limit_but_over_the_message_limit_is_still_answered_MessageTooLarge()
    {
        await using var harness = await EndpointHarness.StartAsync(o => { o.MaxMessageBytes = 1024; o.MaxPacketBytes = 4096; });
        var device = await RawDevice.ConnectAsync(harness);

        var result = await device.RequestAsync("register", new byte[2048], [1]);
        result.IsRefusal(Protocol.ProvisioningError.MessageTooLarge);
        Assert.True(device.Client.IsConnected);

        await Record.ExceptionAsync(() => device.RequestAsync("register", new byte[8192], [2]));
        await Eventually(() => !device.Client.IsConnected, "the client is disconnected");
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.PacketTooLarge));
        Assert.Empty(harness.Handler.Received);
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_TLS_handshake_is_dropped_after_the_connect_timeout()
    {
        await using var harness = await EndpointHarness.StartAsync(o => o.ConnectTimeout = TimeSpan.FromSeconds(1));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", harness.Endpoint.TlsPort).Within();

        Assert.True(await ClosedByServerAsync(client.GetStream()), "the endpoint drops the silent client");
        Assert.Equal(1, harness.RefusalCount(MqttRefusals.SlowHandshake));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_never_sends_its_CONNECT_is_dropped_after_the_connect_timeout(bool tls)
    {
        await using var harness = await EndpointHarness.StartAsync(o => { o.AllowPlaintext = true; o.ConnectTimeout = TimeSpan.FromSeconds(1); });
        var (client, stream) = await OpenAsync(harness, tls);
        using (client)
        {
            await stream.WriteAsync(new byte[] { 0x10, 0x20 }).AsTask().Within();   // a CONNECT header whose 32-byte body never comes

            Assert.True(await ClosedByServerAsync(stream), "the endpoint drops the stalled client");
            Assert.Empty(harness.Handler.Received);
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Clients_that_stall_inside_their_CONNECT_are_all_dropped_and_leave_no_memory_behind()
    {
        const int Stalled = 32;
        await using var harness = await EndpointHarness.StartAsync(o => { o.AllowPlaintext = true; o.ConnectTimeout = TimeSpan.FromSeconds(1); });
        var declared = harness.Options.MaxPacketBytes;
        await StallAsync(harness, 2, declared);   // warm-up: the TLS and plaintext paths are loaded before anything is measured
        using var process = Process.GetCurrentProcess();
        var (retainedBefore, workingSetBefore) = (Retained(), WorkingSet(process));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        await StallAsync(harness, Stalled, declared);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var (retained, grown) = (Retained() - retainedBefore, WorkingSet(process) - workingSetBefore);
        // each stalled client may cost the body it declared while it is held (MQTTnet reads a packet into one buffer),
        // nothing more while it stalls, and nothing once it is dropped
        Assert.True(allocated < 2L * Stalled * declared, $"allocated {allocated / 1024} KiB while {Stalled} clients stalled inside {declared / 1024} KiB CONNECTs");
        Assert.True(retained < (long)Stalled * declared / 4, $"{retained / 1024} KiB still held after {Stalled} stalled clients were dropped");
        Assert.True(grown < 4L * Stalled * declared, $"working set grew {grown / 1024} KiB for {Stalled} stalled clients");
        Assert.Empty(harness.Handler.Received);
    }

    /// <summary>Opens <paramref name="count"/> connections (half TLS, half plaintext) that each declare a CONNECT of <paramref name="declared"/> bytes, send 1 KiB of it and stall; returns once the endpoint has dropped every one.</summary>
    private static async Task StallAsync(EndpointHarness harness, int count, int declared)
    {
        var header = new List<byte> { 0x10 };
        for (var length = declared; ; length >>= 7)
        {
            header.Add((byte)((length & 0x7F) | (length > 0x7F ? 0x80 : 0)));
            if (length <= 0x7F) break;
        }
        byte[] start = [.. header, .. new byte[1024]];
        var clients = new List<(TcpClient Client, Stream Stream)>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var (client, stream) = await OpenAsync(harness, tls: i % 2 == 0);
                clients.Add((client, stream));
                await stream.WriteAsync(start).AsTask().Within();
            }
            foreach (var (_, stream) in clients) Assert.True(await ClosedByServerAsync(stream), "the endpoint drops the stalled client");
        }
        finally
        {
            foreach (var (client, stream) in clients)
            {
                await stream.DisposeAsync();
                client.Dispose();
            }
        }
    }

    /// <summary>A raw connection to the endpoint: TLS (any server certificate accepted) or plaintext.</summary>
    private static async Task<(TcpClient Client, Stream Stream)> OpenAsync(EndpointHarness harness, bool tls)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", tls ? harness.Endpoint.TlsPort : harness.Endpoint.PlaintextPort!.Value).Within();
        if (!tls) return (client, client.GetStream());
        var ssl = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost").Within();
        return (client, ssl);
    }

    /// <summary>Managed memory still reachable after a full, compacting collection.</summary>
    private static long Retained()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long WorkingSet(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    /// <summary>Whether the peer closes the connection (a read ends or fails) within the bounded wait.</summary>
    internal static async Task<bool> ClosedByServerAsync(Stream stream)
    {
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().Within() > 0)
            {
            }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bounded.Default;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out: {what}");
            await Task.Delay(50);
        }
    }
}

/// <summary>Tests that measure the process's allocations run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasured
{
    public const string Name = "memory measured";
}
