using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using MQTTnet;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The endpoint holds at most <see cref="MqttEndpointOptions.MaxConnections"/> connections at once, on every listener
/// together: one more is reset as soon as it is accepted, before any TLS work, and counted; the ones held keep working;
/// every way a connection ends gives its place back. The default cap is a share of the file descriptors the process
/// has left, and a configured cap the process could not hold is refused at start.
/// </summary>
public sealed class ConnectionCapacityTests
{
    [Fact]
    public void The_default_cap_is_its_share_of_the_descriptors_left_and_a_configured_one_within_it_is_used_as_given()
    {
        var random = new Random(29);
        for (var i = 0; i < 10_000; i++)
        {
            var open = random.Next(0, 100_000);
            var limit = open + random.NextInt64(1, 10_000_000);
            var cap = ConnectionCapacity.For(null, limit, open)!.Value;
            Assert.InRange(cap, 1, Math.Max(1, (limit - open) * ConnectionCapacity.DefaultShare));
            Assert.True(cap >= (long)((limit - open) * ConnectionCapacity.DefaultShare) || cap == 1, $"{cap} for {limit - open} left");
            var configured = random.Next(1, cap + 1);
            Assert.Null(ConnectionCapacity.Unreachable(configured, limit, open));
            Assert.Equal(configured, ConnectionCapacity.For(configured, limit, open));
            Assert.NotNull(ConnectionCapacity.Unreachable(cap + random.Next(1, 1000), limit, open));
        }
        Assert.Null(ConnectionCapacity.For(null, null, 10));
        Assert.Null(ConnectionCapacity.For(null, 1000, null));
        Assert.Equal(7, ConnectionCapacity.For(7, null, null));
        Assert.Null(ConnectionCapacity.Unreachable(1_000_000, null, null));   // nothing known: nothing to refuse
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_configured_cap_below_one_is_refused_whatever_the_limit(int configured)
    {
        Assert.Contains("Mqtt:MaxConnections", ConnectionCapacity.Unreachable(configured, 1_000_000, 100));
        Assert.Contains("Mqtt:MaxConnections", ConnectionCapacity.Unreachable(configured, null, null));
    }

    [Fact]
    public void A_cap_beyond_the_descriptors_left_names_the_setting_the_numbers_and_both_remedies()
    {
        var refusal = ConnectionCapacity.Unreachable(900, 1024, 300)!;
        Assert.Contains("Mqtt:MaxConnections = 900", refusal);
        Assert.Contains("543", refusal);     // 75 % of the 724 left
        Assert.Contains("1024", refusal);
        Assert.Contains("LimitNOFILE", refusal);
        Assert.Contains("lower Mqtt:MaxConnections", refusal);
    }

    [Theory]
    [InlineData("Max open files            20000                20000                files     ", 20000L)]
    [InlineData("Max open files            1024                 524288               files     ", 1024L)]
    [InlineData("Max open files            unlimited            unlimited            files     ", null)]
    [InlineData("Max processes             95345                95345                processes ", null)]
    public void The_soft_limit_is_read_from_its_row_of_the_limits_table(string row, long? expected)
    {
        string[] table = ["Limit                     Soft Limit           Hard Limit           Units     ", "Max cpu time              unlimited            unlimited            seconds   ", row];
        Assert.Equal(expected, ConnectionCapacity.ParseOpenFileLimit(table));
    }

    [Fact]
    public async Task This_process_limit_and_open_files_are_what_the_system_reports()
    {
        var soft = await ShellAsync("ulimit -Sn");   // a child inherits its parent's limits
        Assert.Equal(soft == "unlimited" ? null : long.Parse(soft, System.Globalization.CultureInfo.InvariantCulture), ConnectionCapacity.OpenFileLimit());
        var before = ConnectionCapacity.OpenFiles()!.Value;
        using var extra = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.DeleteOnClose);
        Assert.InRange(ConnectionCapacity.OpenFiles()!.Value, before + 1 - 8, before + 1 + 8);   // other tests open and close files meanwhile
    }

    [Fact]
    public void The_descriptor_table_is_made_at_once_for_what_is_asked_within_the_limit()
    {
        var limit = ConnectionCapacity.OpenFileLimit()!.Value;
        var before = TableSize();
        var asked = (int)Math.Min(Math.Min(before + 1000, ConnectionCapacity.LargestReservedTable), limit - 1);
        Assert.True(asked > before, $"the table already holds {before} of a limit of {limit}: nothing left to show");

        var made = ConnectionCapacity.ReserveTable(asked - 1, limit)!.Value;
        Assert.InRange(made, asked, limit);   // asked, or a little more when another test holds that very number
        Assert.True(TableSize() >= made, $"the table holds {TableSize()} after it was made for {made}");
        Assert.False(File.Exists($"/proc/self/fd/{made - 1}"), "the descriptor that grew the table is closed again");
        // never beyond the limit, nor beyond the largest table it makes (here the one the limit allows, or that)
        Assert.InRange(ConnectionCapacity.ReserveTable(long.MaxValue, limit) ?? 0, Math.Min(ConnectionCapacity.LargestReservedTable, limit - 1) + 1, Math.Min(ConnectionCapacity.LargestReservedTable, limit - 1) + 64);
        Assert.Null(ConnectionCapacity.ReserveTable(1000, null));
    }

    [Fact]
    public void Growing_the_table_never_closes_a_descriptor_that_is_open()
    {
        using var file = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        // a socket's /proc/self/fd entry links to no file ("socket:[…]"), so a check that follows links would miss it
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        foreach (var number in new[] { (int)file.SafeFileHandle.DangerousGetHandle(), (int)listener.Server.Handle })
            Assert.True(ConnectionCapacity.ReserveTable(number, ConnectionCapacity.OpenFileLimit()) > number + 1, $"descriptor {number}, which is open, was used");

        file.Write([1, 2, 3]);
        file.Flush();
        Assert.Equal(3, file.Length);
        using var client = new TcpClient();
        client.Connect((System.Net.IPEndPoint)listener.LocalEndpoint);
        using var accepted = listener.AcceptTcpClient();
        Assert.True(accepted.Connected);
    }

    /// <summary>The slots of this process's descriptor table (<c>FDSize</c> in <c>/proc/self/status</c>).</summary>
    private static int TableSize() =>
        int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("FDSize:", StringComparison.Ordinal))["FDSize:".Length..].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_configured_cap_the_process_cannot_hold_stops_the_start_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => EndpointHarness.StartAsync(o => o.MaxConnections = int.MaxValue));
        Assert.Contains("Mqtt:MaxConnections", failure.Message);
        Assert.Contains("file descriptors", failure.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public async Task A_listen_backlog_below_1_stops_the_start_naming_the_setting(int backlog)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => EndpointHarness.StartAsync(o => o.ConnectionBacklog = backlog));
        Assert.Contains($"Mqtt:ConnectionBacklog = {backlog}: it must be", failure.Message);
    }

    [Fact]
    public async Task Without_a_configured_cap_the_endpoint_takes_its_share_of_the_descriptors_left()
    {
        var (limit, open) = (ConnectionCapacity.OpenFileLimit(), ConnectionCapacity.OpenFiles()!.Value);
        await using var harness = await EndpointHarness.StartAsync();
        if (limit is not { } max)
        {
            Assert.Null(harness.Endpoint.MaxConnections);
            return;
        }
        // other tests open files meanwhile: within a few hundred of the share computed here
        Assert.InRange(harness.Endpoint.MaxConnections!.Value, (max - open - 500) * ConnectionCapacity.DefaultShare, (max - open + 500) * ConnectionCapacity.DefaultShare);
    }

    [Fact]
    public async Task Connections_beyond_the_cap_are_reset_at_once_on_either_listener_and_the_held_ones_keep_working()
    {
        // a long connect timeout: a connection closed within it was closed by the cap, not by the timeout
        await using var harness = await EndpointHarness.StartAsync(o => { o.AllowPlaintext = true; o.MaxConnections = 3; o.ConnectTimeout = TimeSpan.FromSeconds(60); });
        var held = new List<IMqttClient>
        {
            await harness.ConnectAsync(EndpointHarness.NewDeviceId()),
            await harness.ConnectAsync(EndpointHarness.NewDeviceId(), tls: false),
            await harness.ConnectAsync(EndpointHarness.NewDeviceId()),
        };
        Assert.Equal(3, harness.Endpoint.HeldConnections);

        foreach (var port in new[] { harness.Endpoint.TlsPort, harness.Endpoint.PlaintextPort!.Value, harness.Endpoint.TlsPort })
        {
            var clock = Stopwatch.StartNew();
            using var extra = new TcpClient();
            try
            {
                // the kernel completes the connect from the backlog; the endpoint resets it once accepted, sometimes before the connect returns
                await extra.ConnectAsync("127.0.0.1", port).Within();
                Assert.True(await TransportLimitTests.ClosedByServerAsync(extra.GetStream()), "the endpoint closes a connection over its cap");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed after {clock.Elapsed}, not at once");
        }
        var refused = await Record.ExceptionAsync(() => harness.ConnectAsync(EndpointHarness.NewDeviceId()));
        Assert.NotNull(refused);   // an MQTT client over the cap gets no CONNACK: its TLS handshake meets a reset
        Assert.Equal(4, harness.RefusalCount(MqttRefusals.TotalConnections));
        Assert.Equal(3, harness.Endpoint.HeldConnections);
        Assert.All(held, client => Assert.True(client.IsConnected));

        await held[0].DisconnectAsync().Within();
        await EventuallyAsync(() => harness.Endpoint.HeldConnections == 2, "the closed connection's place is given back");
        held.Add(await harness.ConnectAsync(EndpointHarness.NewDeviceId()));
        Assert.Equal(3, harness.Endpoint.HeldConnections);
        Assert.Equal(4, harness.RefusalCount(MqttRefusals.TotalConnections));
    }

    /// <summary>Ways a connection ends, each of which must give its place back.</summary>
    public static TheoryData<string> Endings => new() { "disconnect", "tcp-close-in-handshake", "slow-handshake", "packet-too-large", "refused-connect", "tls-garbage" };

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task Every_way_a_connection_ends_gives_its_place_back(string ending)
    {
        const int Cap = 2;
        await using var harness = await EndpointHarness.StartAsync(o =>
        {
            o.AllowPlaintext = true;
            o.MaxConnections = Cap;
            o.ConnectTimeout = TimeSpan.FromSeconds(1);
            o.MaxPacketBytes = 4096;
        });
        // more endings than places, each waited out: a place not given back would leave the last ones refused
        for (var round = 0; round < 3 * Cap; round++)
        {
            await EndAsync(harness, ending);
            await EventuallyAsync(() => harness.Endpoint.HeldConnections == 0, $"round {round}: the {ending} connection's place is given back");
        }
        Assert.Equal(0, harness.RefusalCount(MqttRefusals.TotalConnections));
        for (var i = 0; i < Cap; i++) await harness.ConnectAsync(EndpointHarness.NewDeviceId());
        Assert.Equal(Cap, harness.Endpoint.HeldConnections);
    }

    [Fact]
    public void An_accept_that_fails_for_want_of_descriptors_pauses_from_5_ms_doubling_to_a_second()
    {
        var pauses = new List<TimeSpan>();
        var pause = TimeSpan.Zero;   // after a success
        for (var i = 0; i < 12; i++) pauses.Add(pause = GuardedTcpServerAdapter.NextAcceptPause(pause));
        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000], pauses.Select(p => p.TotalMilliseconds));
        // ten seconds of failures cost a few dozen accepts, not the hundreds of thousands a loop without a pause made
        var (spent, accepts) = (TimeSpan.Zero, 0);
        for (pause = TimeSpan.Zero; spent < TimeSpan.FromSeconds(10); accepts++) spent += pause = GuardedTcpServerAdapter.NextAcceptPause(pause);
        Assert.InRange(accepts, 10, 20);
    }

    private static async Task EndAsync(EndpointHarness harness, string ending)
    {
        switch (ending)
        {
            case "disconnect":
                var client = await harness.ConnectAsync(EndpointHarness.NewDeviceId());
                await client.DisconnectAsync().Within();
                break;
            case "tcp-close-in-handshake":
                using (var tcp = new TcpClient())
                {
                    await tcp.ConnectAsync("127.0.0.1", harness.Endpoint.TlsPort).Within();
                    await tcp.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01 }).AsTask().Within();   // the start of a ClientHello, then gone
                }
                break;
            case "slow-handshake":
                using (var tcp = new TcpClient())
                {
                    await tcp.ConnectAsync("127.0.0.1", harness.Endpoint.TlsPort).Within();
                    Assert.True(await TransportLimitTests.ClosedByServerAsync(tcp.GetStream()), "dropped after the connect timeout");
                }
                break;
            case "packet-too-large":
                using (var tcp = new TcpClient())
                {
                    await tcp.ConnectAsync("127.0.0.1", harness.Endpoint.PlaintextPort!.Value).Within();
                    await tcp.GetStream().WriteAsync(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0x7F }).AsTask().Within();
                    Assert.True(await TransportLimitTests.ClosedByServerAsync(tcp.GetStream()), "closed for the declared length");
                }
                break;
            case "refused-connect":
                var refused = await harness.ConnectAsync("NOT A DEVICE ID", throwOnFailure: false);
                Assert.False(refused.IsConnected);
                break;
            case "tls-garbage":
                using (var tcp = new TcpClient())
                {
                    await tcp.ConnectAsync("127.0.0.1", harness.Endpoint.TlsPort).Within();
                    await tcp.GetStream().WriteAsync(new byte[64]).AsTask().Within();   // not a TLS record
                    Assert.True(await TransportLimitTests.ClosedByServerAsync(tcp.GetStream()), "the handshake fails");
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(ending), ending, null);
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Bounded.Default, $"not within {Bounded.Default}: {what}");
            await Task.Delay(20);
        }
    }

    private static async Task<string> ShellAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync().Within();
        await process.WaitForExitAsync().Within();
        return output.Trim();
    }
}
