using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Text;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <see cref="HttpConnectionCap"/> on Kestrel's real socket transport, on a loopback port: the HTTP listeners hold at
/// most <c>MaxConcurrentConnections</c> + <c>MaxConcurrentUpgradedConnections</c> connections, counting each from its
/// accept until its socket is closed (those Kestrel refuses too); one more is reset as it is accepted, before Kestrel
/// sees it, and counted. Tried over random orders of connects, upgrades and closes against a model of both limits.
/// </summary>
public sealed class HttpConnectionCapTests
{
    private const int Served = 2, Upgraded = 1, Cap = Served + Upgraded;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_cap_is_both_of_Kestrels_limits_together_or_none_when_either_is_unbounded()
    {
        Assert.Equal(7, HttpConnectionCap.For(new KestrelServerLimits { MaxConcurrentConnections = 5, MaxConcurrentUpgradedConnections = 2 }));
        Assert.Null(HttpConnectionCap.For(new KestrelServerLimits { MaxConcurrentConnections = 5, MaxConcurrentUpgradedConnections = null }));
        Assert.Null(HttpConnectionCap.For(new KestrelServerLimits { MaxConcurrentConnections = null, MaxConcurrentUpgradedConnections = 2 }));
        Assert.Equal(int.MaxValue, HttpConnectionCap.For(new KestrelServerLimits { MaxConcurrentConnections = long.MaxValue / 2, MaxConcurrentUpgradedConnections = long.MaxValue / 2 }));
    }

    [Fact]
    public void A_host_without_Kestrels_socket_transport_is_refused_rather_than_left_uncapped()
    {
        var services = new ServiceCollection();
        Assert.Throws<InvalidOperationException>(() => HttpConnectionCap.Register(services));
    }

    [Fact]
    public async Task Connects_beyond_the_cap_are_reset_at_accept_and_counted_while_those_held_are_served()
    {
        await using var server = await CappedServer.StartAsync();
        var held = new List<Socket>();
        try
        {
            await Reset_over_the_cap_while_held_connections_are_served(server, held);
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    private static async Task Reset_over_the_cap_while_held_connections_are_served(CappedServer server, List<Socket> held)
    {
        held.Add(await server.UpgradeAsync());
        for (var i = 0; i < Served; i++) held.Add(await server.ServedAsync());
        await server.SettleAsync(Cap);

        for (var i = 0; i < 20; i++) await server.ResetAtAcceptAsync();
        Assert.Equal(20, server.Refused);
        Assert.Equal(Cap, server.Cap.HeldConnections);

        // those held are untouched: the keep-alive connections serve another request, the upgraded one echoes
        foreach (var socket in held.Skip(1)) Assert.Contains("200 OK", await CappedServer.RequestAsync(socket, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"), StringComparison.Ordinal);
        Assert.Equal("ping", await CappedServer.RequestAsync(held[0], "ping"));

        // a close frees its place: the next connect is served
        held[1].Dispose();
        await server.SettleAsync(Cap - 1);
        held.Add(await server.ServedAsync());
    }

    [Fact]
    public async Task A_connection_Kestrel_refuses_keeps_its_place_until_its_socket_is_closed()
    {
        await using var server = await CappedServer.StartAsync();
        var served = new List<Socket>();
        for (var i = 0; i < Served; i++) served.Add(await server.ServedAsync());
        // under this cap, over Kestrel's: accepted here, closed by Kestrel without an answer, its place given back after
        await server.ClosedByKestrelAsync();
        await server.SettleAsync(Served);
        Assert.Equal(0, server.Refused);
        foreach (var socket in served) socket.Dispose();
        await server.SettleAsync(0);
    }

    /// <summary>
    /// The property, over random orders: after every step the cap holds exactly the connections open (served, upgraded),
    /// a connect at the cap is reset and counted, one below it is served when Kestrel's own limit allows and closed by
    /// Kestrel otherwise, and an upgrade takes Kestrel's upgraded place.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Every_order_of_connects_upgrades_and_closes_keeps_the_listeners_within_the_cap(int seed)
    {
        var random = new Random(seed);
        await using var server = await CappedServer.StartAsync();
        var (served, upgraded) = (new List<Socket>(), new List<Socket>());
        var (refused, closedByKestrel) = (0, 0);
        try
        {
            for (var step = 0; step < 60; step++)
            {
                var open = served.Count + upgraded.Count;
                // connects half the time, upgrades a quarter, closes the rest: the order reaches both limits
                switch (random.Next(8) switch { < 4 => 0, < 6 => 1, var close => close - 4 })
                {
                    case 0 or 1 when open == Cap:
                        await server.ResetAtAcceptAsync();
                        refused++;
                        break;
                    case 0 when served.Count < Served:
                        served.Add(await server.ServedAsync());
                        break;
                    case 0:
                        await server.ClosedByKestrelAsync();
                        closedByKestrel++;
                        break;
                    case 1 when upgraded.Count < Upgraded:
                        // an upgrade starts as a served connection: make room under Kestrel's limit first
                        if (served.Count == Served)
                        {
                            Close(served, random);
                            await server.SettleAsync(served.Count + upgraded.Count);
                        }
                        upgraded.Add(await server.UpgradeAsync());
                        break;
                    case 2 when served.Count > 0:
                        Close(served, random);
                        break;
                    case 3 when upgraded.Count > 0:
                        Close(upgraded, random);
                        break;
                }
                await server.SettleAsync(served.Count + upgraded.Count);
                Assert.Equal(refused, server.Refused);
            }
            Assert.True(refused > 0 && closedByKestrel > 0, $"the order met the cap {refused} times and Kestrel's own limit {closedByKestrel} times: both must be met");
        }
        finally
        {
            foreach (var socket in served.Concat(upgraded)) socket.Dispose();
        }
    }

    private static void Close(List<Socket> sockets, Random random)
    {
        var index = random.Next(sockets.Count);
        sockets[index].Dispose();
        sockets.RemoveAt(index);
    }

    /// <summary>Kestrel on a loopback port with the cap around its socket transport: <c>/</c> answers, <c>/upgrade</c> upgrades and echoes.</summary>
    private sealed class CappedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly MeterListener _listener = new();
        private long _refused;

        private CappedServer(WebApplication app, int port)
        {
            _app = app;
            Port = port;
            Cap = app.Services.GetServices<IConnectionListenerFactory>().OfType<HttpConnectionCap>().Single();
            var meters = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == HttpConnectionCap.RefusedCounter && instrument.Meter.Name == ProvisioningMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _refused, value));
            _listener.Start();
        }

        public int Port { get; }

        public HttpConnectionCap Cap { get; }

        /// <summary>Connections counted on <see cref="HttpConnectionCap.RefusedCounter"/> since the start.</summary>
        public long Refused => Interlocked.Read(ref _refused);

        public static async Task<CappedServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxConcurrentConnections = Served;
                kestrel.Limits.MaxConcurrentUpgradedConnections = Upgraded;
                kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(5);
            });
            builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));   // a failed test's connections are not waited for
            builder.Logging.ClearProviders();
            HttpConnectionCap.Register(builder.Services);
            var app = builder.Build();
            app.Run(async http =>
            {
                if (http.Request.Path != "/upgrade")
                {
                    await http.Response.WriteAsync("ok");
                    return;
                }
                var stream = await http.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
                var buffer = new byte[64];
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0) await stream.WriteAsync(buffer.AsMemory(0, read));
            });
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            return new CappedServer(app, address.Port);
        }

        /// <summary>A connection that made a request and was answered, kept alive.</summary>
        public async Task<Socket> ServedAsync()
        {
            var socket = await ConnectAsync();
            Assert.Contains("200 OK", await RequestAsync(socket, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"), StringComparison.Ordinal);
            return socket;
        }

        /// <summary>A connection upgraded (it leaves Kestrel's count of connections for its count of upgraded ones), echoing.</summary>
        public async Task<Socket> UpgradeAsync()
        {
            var socket = await ConnectAsync();
            Assert.StartsWith("HTTP/1.1 101", await RequestAsync(socket, "GET /upgrade HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"), StringComparison.Ordinal);
            Assert.Equal("ping", await RequestAsync(socket, "ping"));
            return socket;
        }

        /// <summary>
        /// A connect at the cap: reset before anything is sent (the client sends nothing, so only the cap can end it so),
        /// on loopback often before the connect itself has completed for the client.
        /// </summary>
        public async Task ResetAtAcceptAsync()
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            var error = await Assert.ThrowsAsync<SocketException>(async () =>
            {
                await socket.ConnectAsync("127.0.0.1", Port).WaitAsync(Settle);
                await socket.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Settle);
            });
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        }

        /// <summary>A connect under the cap and over Kestrel's own limit: closed in order, with nothing said.</summary>
        public async Task ClosedByKestrelAsync()
        {
            using var socket = await ConnectAsync();
            Assert.Equal(0, await socket.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Settle));
        }

        /// <summary>Waits until the cap holds <paramref name="open"/> connections (those closed are given back once Kestrel disposes them), never more than the cap.</summary>
        public async Task SettleAsync(int open)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Cap.HeldConnections != open && clock.Elapsed < Settle)
            {
                Assert.InRange(Cap.HeldConnections, 0, HttpConnectionCapTests.Cap);
                await Task.Delay(5);
            }
            Assert.Equal(open, Cap.HeldConnections);
        }

        /// <summary>
        /// Sends <paramref name="request"/> and reads its whole answer — however TCP splits it (a chunked body's last
        /// chunk may come apart from the rest, and would otherwise be read as the next request's answer): an HTTP response
        /// to the end of its body, an echo to the length sent; what a closed connection gave when it closes first.
        /// </summary>
        public static async Task<string> RequestAsync(Socket socket, string request)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
            var answer = new StringBuilder();
            var buffer = new byte[4096];
            while (!IsWhole(answer.ToString(), request))
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Settle);
                if (read == 0) break;
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            return answer.ToString();
        }

        private static bool IsWhole(string answer, string request)
        {
            if (!request.StartsWith("GET ", StringComparison.Ordinal)) return answer.Length >= request.Length;
            var headersEnd = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headersEnd < 0) return false;
            var headers = answer[..headersEnd];
            if (headers.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) return true;
            var body = answer[(headersEnd + 4)..];
            if (headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
                return body.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
            var length = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            return body.Length >= (length is null ? 0 : int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }

        private async Task<Socket> ConnectAsync()
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", Port).WaitAsync(Settle);
            return socket;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
