using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Net;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The HTTP API's connections against the descriptors <see cref="ConnectionLimits"/> gave them: Kestrel's socket
/// transport with one cap over every HTTP listener, <c>MaxConcurrentConnections</c> + <c>MaxConcurrentUpgradedConnections</c>,
/// counted from the moment a connection is accepted until its socket is closed. One more is reset in the accept loop
/// itself, as the MQTT endpoint resets its own (<see cref="GuardedTcpServerAdapter"/>), and counted on
/// <c>iotid_http_refused_connections</c>.
/// </summary>
/// <remarks>
/// Kestrel's own limits stay as they are and still decide which connections it serves (<c>kestrel_rejected_connections</c>),
/// but it refuses a connection only after accepting it and handing it to the thread pool, and the socket is closed when
/// the transport's loops end, later again: nothing bounded how many refused connections were still open, and a flood
/// of both listeners at a small limit on open files took the service's last descriptor (BENCHMARKS.md, session 33).
/// A connection Kestrel refuses now keeps its place under this cap until its socket is closed, so the HTTP API never
/// holds more descriptors than the two limits together, which <see cref="ConnectionLimits"/> keeps within their share.
/// Where either limit is unset (the limit on open files unknown and nothing configured) nothing is capped here.
/// </remarks>
public sealed class HttpConnectionCap : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>The counter of connections reset at the cap (on /metrics with <c>_total</c>).</summary>
    public const string RefusedCounter = "iotid_http_refused_connections";

    private readonly IConnectionListenerFactory _transport;
    private readonly Counter<long> _refused;
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle = new(LogThrottle.Default);
    private readonly ConnectionSlots _slots;

    /// <summary>Wraps <paramref name="transport"/>; <paramref name="cap"/> null caps nothing.</summary>
    public HttpConnectionCap(IConnectionListenerFactory transport, int? cap, IMeterFactory meters, ILogger<HttpConnectionCap> logger)
    {
        _transport = transport;
        _slots = new ConnectionSlots(cap);
        _refused = meters.Create(ProvisioningMetrics.MeterName)
            .CreateCounter<long>(RefusedCounter, description: "HTTP connections reset as they were accepted, the HTTP API holding its cap");
        _logger = logger;
    }

    /// <summary>The most connections every HTTP listener holds together; null: no cap.</summary>
    public int? Cap => _slots.Cap;

    /// <summary>Connections accepted and not yet closed, across every HTTP listener.</summary>
    public int HeldConnections => _slots.Held;

    /// <summary>The cap Kestrel's limits give: both together, or null when either is unset (that kind is unbounded).</summary>
    public static int? For(KestrelServerLimits limits) =>
        limits is { MaxConcurrentConnections: { } http, MaxConcurrentUpgradedConnections: { } upgraded }
            ? (int)Math.Min(int.MaxValue, http + upgraded) : null;

    /// <summary>
    /// Puts the cap around Kestrel's socket transport in <paramref name="services"/>, which must hold it (registered by
    /// the web host's defaults): without the transport there is nothing to cap, and a host that silently lost the cap
    /// would be the service this class exists to prevent.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        var sockets = services.LastOrDefault(d => d.ServiceType == typeof(IConnectionListenerFactory) && d.ImplementationType == typeof(SocketTransportFactory))
            ?? throw new InvalidOperationException("Kestrel's socket transport is not registered: the HTTP connection cap has nothing to wrap.");
        services.Remove(sockets);
        services.AddSingleton<IConnectionListenerFactory>(sp => new HttpConnectionCap(
            ActivatorUtilities.CreateInstance<SocketTransportFactory>(sp),
            For(sp.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits),
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<ILogger<HttpConnectionCap>>()));
        services.AddHostedService(sp => new Announcement(sp.GetServices<IConnectionListenerFactory>().OfType<HttpConnectionCap>().Single()));
    }

    /// <summary>
    /// Says the cap when the host starts, among the first of its services: not when the host is built (a start refused
    /// before it runs prints nothing but the refusal), nor as Kestrel binds (beside the lines the service prints once it
    /// has started).
    /// </summary>
    private sealed class Announcement(HttpConnectionCap cap) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (cap.Cap is { } held) HttpConnectionCapLog.Cap(cap._logger, held);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <inheritdoc/>
    public bool CanBind(EndPoint endpoint) => _transport is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    /// <inheritdoc/>
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = await _transport.BindAsync(endpoint, cancellationToken).ConfigureAwait(false);
        return Cap is null ? listener : new CappedListener(listener, this);
    }

    /// <summary>
    /// Resets <paramref name="connection"/> at once (no lingering close, the descriptor freed before the next accept),
    /// counts it, and says so at most every ten seconds.
    /// </summary>
    private void Refuse(ConnectionContext connection)
    {
        _refused.Add(1);   // before the reset: whoever sees the reset sees it counted
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket) ConnectionSlots.ResetOnClose(socket);
        // the socket transport shuts the socket down and disposes it in Abort, before it returns
        connection.Abort(new ConnectionAbortedException("The HTTP API holds its cap of connections."));
        _ = DisposeRefusedAsync(connection);
        if (_throttle.Occurred(RefusedCounter) is { } refused) HttpConnectionCapLog.AtCap(_logger, Cap ?? 0, refused);
    }

    /// <summary>Ends the refused connection's transport loops (its pipes and buffers); the descriptor is already closed.</summary>
    private static async Task DisposeRefusedAsync(ConnectionContext connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // nothing left to free that a failure here would keep: the socket was closed in Abort
        }
    }

    private sealed class CappedListener(IConnectionListener listener, HttpConnectionCap cap) : IConnectionListener
    {
        public EndPoint EndPoint => listener.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (await listener.AcceptAsync(cancellationToken).ConfigureAwait(false) is not { } connection) return null;
                if (cap._slots.TryTake()) return new HeldConnection(connection, cap._slots);
                cap.Refuse(connection);
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => listener.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => listener.DisposeAsync();
    }

    /// <summary>
    /// The transport's connection, holding its place under the cap until Kestrel disposes it, which it does last, after
    /// the transport closed the socket (for a connection Kestrel refused as much as for one it served).
    /// </summary>
    private sealed class HeldConnection(ConnectionContext inner, ConnectionSlots slots) : ConnectionContext
    {
        private int _released;

        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }
        public override IFeatureCollection Features => inner.Features;
        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }
        public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }
        public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }
        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }
        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }
        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);
        public override void Abort() => inner.Abort();

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
            }
        }
    }
}

internal static partial class HttpConnectionCapLog
{
    [LoggerMessage(43, LogLevel.Information, "The HTTP API holds at most {Cap} connections at once, across its listeners (" + ConnectionLimits.HttpKey + " and " + ConnectionLimits.UpgradedKey + " together)")]
    public static partial void Cap(ILogger logger, int cap);

    [LoggerMessage(42, LogLevel.Warning, "The HTTP API holds {Cap} connections, its cap: closed {Refused} more as they were accepted (since the last such line)")]
    public static partial void AtCap(ILogger logger, int cap, long refused);
}
