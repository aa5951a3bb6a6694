using System.Net;
using System.Net.Sockets;
using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A port taken between the service's check and its bind (<see cref="PortConflicts.Describe"/>): the failure of the
/// run is told as the conflict it is, naming the address Kestrel could not bind, or Orleans' listeners, which its
/// exception does not name; any other failure is left to crash as it did. The check itself runs against the binary in
/// <see cref="ServiceBinaryStartTests"/>.
/// </summary>
public sealed class PortConflictsTests : IDisposable
{
    private readonly TcpListener _other = new(IPAddress.Loopback, 0);

    public PortConflictsTests() => _other.Start();

    public void Dispose() => _other.Stop();

    private int TakenPort => ((IPEndPoint)_other.LocalEndpoint).Port;

    private static readonly IReadOnlyList<(string Setting, IPEndPoint Endpoint)> Listeners =
    [
        ("Urls", new IPEndPoint(IPAddress.Loopback, 18080)), ("Mqtt:TlsPort", new IPEndPoint(IPAddress.Loopback, 18883)),
        ("Orleans:SiloPort", new IPEndPoint(IPAddress.Loopback, 21111)), ("Orleans:GatewayPort", new IPEndPoint(IPAddress.Loopback, 30001)),
    ];

    /// <summary>The operating system's own refusal to bind the taken port.</summary>
    private SocketException AddressInUse()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = Assert.Throws<SocketException>(() => socket.Bind(new IPEndPoint(IPAddress.Loopback, TakenPort)));
        Assert.Equal(SocketError.AddressAlreadyInUse, refused.SocketErrorCode);
        return refused;
    }

    [Fact]
    public async Task Kestrels_failure_to_bind_a_taken_port_is_told_with_the_address_it_names()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{TakenPort}");
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Equal($"{PortConflicts.Words}: Failed to bind to address http://127.0.0.1:{TakenPort}: address already in use.; stop that process or configure another port",
            PortConflicts.Describe(failure, Listeners));
    }

    [Fact]
    public void Orleans_failure_names_no_address_so_its_listeners_are_named()
    {
        var failure = new AddressInUseException("Address already in use", AddressInUse());

        Assert.Equal($"{PortConflicts.Words}: Orleans:SiloPort (127.0.0.1:21111) or Orleans:GatewayPort (127.0.0.1:30001); stop that process or configure another port",
            PortConflicts.Describe(failure, Listeners));
        Assert.NotNull(PortConflicts.Describe(new AggregateException(new InvalidOperationException("other"), failure), Listeners));
    }

    [Fact]
    public void Any_other_failure_is_not_a_conflict()
    {
        Assert.Null(PortConflicts.Describe(new InvalidOperationException("storage"), Listeners));
        Assert.Null(PortConflicts.Describe(new IOException("disk", new SocketException((int)SocketError.AccessDenied)), Listeners));
        Assert.Null(PortConflicts.Describe(new AggregateException(new TimeoutException()), Listeners));
    }

    [Fact]
    public void Listeners_overlap_on_one_port_at_one_address_or_the_wildcard_and_not_across_addresses_or_families()
    {
        var overlapping = PortConflicts.Overlapping(
        [
            ("Urls", new IPEndPoint(IPAddress.Any, 8080)), ("Mqtt:TlsPort", new IPEndPoint(IPAddress.Loopback, 8080)),
            ("Orleans:SiloPort", new IPEndPoint(IPAddress.Loopback, 11111)), ("Orleans:GatewayPort", new IPEndPoint(IPAddress.Loopback, 11111)),
            ("Mqtt:PlaintextPort", new IPEndPoint(IPAddress.Parse("127.0.0.2"), 11111)), ("Urls", new IPEndPoint(IPAddress.IPv6Loopback, 8080)),
        ]);

        Assert.Equal(["Urls (0.0.0.0:8080) and Mqtt:TlsPort (127.0.0.1:8080)", "Orleans:SiloPort (127.0.0.1:11111) and Orleans:GatewayPort (127.0.0.1:11111)"], overlapping);
        Assert.Empty(PortConflicts.Overlapping(Listeners));
    }

    [Fact]
    public void Only_the_listeners_another_process_holds_are_taken()
    {
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var freePort = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        var taken = PortConflicts.Taken([("Urls", new IPEndPoint(IPAddress.Loopback, freePort)), ("Mqtt:TlsPort", new IPEndPoint(IPAddress.Loopback, TakenPort)),
            ("Orleans:SiloPort", new IPEndPoint(IPAddress.Any, TakenPort)), ("Orleans:GatewayPort", new IPEndPoint(IPAddress.Parse("127.0.0.2"), TakenPort))]);

        // the wildcard address meets the listener on loopback; another loopback address does not
        Assert.Equal([$"Mqtt:TlsPort (127.0.0.1:{TakenPort})", $"Orleans:SiloPort (0.0.0.0:{TakenPort})"], taken);
    }
}
