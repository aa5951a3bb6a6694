using System.Collections;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The service's MQTT 5 endpoint: an embedded MQTTnet broker that serves the device protocol. Devices publish
/// requests to <c>iotid/v1/{id}/req/{op}</c>; each is checked (see <see cref="MqttRefusals"/> for every rule), handed
/// to the <see cref="IDeviceRequestHandler"/> off the broker's receive loop, and answered on the request's response
/// topic with its correlation data. TLS always; plaintext only with <see cref="MqttEndpointOptions.AllowPlaintext"/>.
/// </summary>
public sealed class MqttEndpoint : IDeviceChannel, IHostedService, IAsyncDisposable
{
    /// <summary>The name of the endpoint's <see cref="Meter"/>.</summary>
    public const string MeterName = "IoTIdentity.Mqtt";

    private readonly IDeviceRequestHandler _handler;
    private readonly MqttEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly EndpointMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private MqttServer? _server;
    private GuardedTcpServerAdapter? _adapter;
    private RequestDispatcher? _dispatcher;
    private SessionRegistry? _sessions;
    private X509Certificate2? _certificate;
    private readonly IDeviceCertificateVerifier? _verifier;
    private readonly IDeviceSessionObserver? _observer;

    /// <summary>Creates the endpoint; nothing listens until <see cref="StartAsync"/>.</summary>
    public MqttEndpoint(IDeviceRequestHandler handler, IOptions<MqttEndpointOptions> options, ILogger<MqttEndpoint> logger,
        IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null, IDeviceCertificateVerifier? certificateVerifier = null,
        IDeviceSessionObserver? sessionObserver = null)
    {
        _verifier = certificateVerifier;
        _observer = sessionObserver;
        _handler = handler;
        _options = options.Value;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new EndpointMetrics(meterFactory, () => HeldConnections);
    }

    /// <summary>The bound TLS port (the operating system's choice when configured as 0). Valid once started.</summary>
    public int TlsPort { get; private set; }

    /// <summary>
    /// Connections the endpoint holds at once (<see cref="MqttEndpointOptions.MaxConnections"/>, or its share of the file
    /// descriptors left at start; null: no cap, the limit on open files being unknown). Valid once started.
    /// </summary>
    public int? MaxConnections { get; private set; }

    /// <summary>Connections the endpoint holds now, on every listener, TLS handshakes in progress included (0 before it starts).</summary>
    public int HeldConnections => _adapter?.HeldConnections ?? 0;

    /// <summary>The bound plaintext port, or null when plaintext is not allowed. Valid once started.</summary>
    public int? PlaintextPort { get; private set; }

    /// <summary>
    /// The PEM file of the generated development certificate, for devices to trust; null when a certificate is configured.
    /// Valid once started.
    /// </summary>
    public string? DevCertificatePath { get; private set; }

    /// <summary>The TLS server certificate in use (public part and key). Valid once started.</summary>
    public X509Certificate2 ServerCertificate => _certificate ?? throw new InvalidOperationException("The MQTT endpoint is not started");

    /// <summary>Whether the broker is running.</summary>
    public bool IsRunning => _server?.IsStarted == true;

    /// <inheritdoc/>
    public bool ReachesOnlyThisSilo => true;

    /// <inheritdoc/>
    public MqttChannelHealth Health => IsRunning ? new("embedded", "listening", true) : new("embedded", "stopped", false);

    internal Meter Meter => _metrics.Meter;

    /// <summary>Loads or creates the certificate and starts the listeners.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) throw new InvalidOperationException("The MQTT endpoint is already started");
        var (limit, open) = (ConnectionCapacity.OpenFileLimit(), ConnectionCapacity.OpenFiles());
        if (ConnectionCapacity.Unreachable(_options.MaxConnections, limit, open) is { } unreachable) throw new InvalidOperationException(unreachable);
        if (ListenBacklog.Invalid(_options.ConnectionBacklog) is { } backlog) throw new InvalidOperationException(backlog);
        MaxConnections = ConnectionCapacity.For(_options.MaxConnections, limit, open);
        var table = MaxConnections is { } held && open is { } used ? ConnectionCapacity.ReserveTable((long)used + held, limit) : null;
        (_certificate, DevCertificatePath) = ServerCertificates.Load(_options, _time, _logger);
        _dispatcher = new RequestDispatcher(_handler, _options, (session, message) => DeliverAsync(session, message, maxQos: Replies.DeliveredReplyQos), _metrics, _logger, _stopping.Token);
        var admission = new RequestAdmission(_options, _dispatcher, _metrics, _time, _logger);
        var throttle = new LogThrottle(LogThrottle.Default, _time);
        _sessions = new SessionRegistry(_options.MaxConnectionsPerAddress);
        var gate = new AccessGate(_options, admission, _sessions, _verifier, _metrics, _logger, throttle, _observer, _time);

        for (var attempt = 1; ; attempt++)
        {
            var serverOptions = BuildServerOptions(_certificate);
            var adapter = new GuardedTcpServerAdapter(_options, MaxConnections, _metrics, _logger, throttle);
            var server = new MqttServerFactory().CreateMqttServer(serverOptions, [adapter]);
            server.ValidatingConnectionAsync += gate.ValidateConnectionAsync;
            server.InterceptingSubscriptionAsync += gate.InterceptSubscriptionAsync;
            server.InterceptingPublishAsync += gate.InterceptPublishAsync;
            server.InterceptingInboundPacketAsync += OnInboundPacketAsync;
            server.ClientSubscribedTopicAsync += OnClientSubscribedAsync;
            server.ClientUnsubscribedTopicAsync += OnClientUnsubscribedAsync;
            server.ClientDisconnectedAsync += gate.ClientDisconnectedAsync;
            server.ClientConnectedAsync += e => OnSessionChangedAsync(e.ClientId, e.SessionItems, connected: true);
            server.ClientDisconnectedAsync += e => OnSessionChangedAsync(e.ClientId, e.SessionItems, connected: false);
            try
            {
                await server.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5 && UsesEphemeralPorts)
            {
                // with an IPv6 listener too, port 0 is chosen on IPv4 and may be taken on IPv6
                MqttEndpointLog.PortRace(_logger, serverOptions.TlsEndpointOptions.Port);
                server.Dispose();
                continue;
            }
            catch
            {
                server.Dispose();
                throw;
            }
            _server = server;
            _adapter = adapter;
            TlsPort = serverOptions.TlsEndpointOptions.Port;
            PlaintextPort = _options.AllowPlaintext ? serverOptions.DefaultEndpointOptions.Port : null;
            MqttEndpointLog.Listening(_logger, TlsPort, PlaintextPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off");
            if (MaxConnections is { } cap)
                MqttEndpointLog.ConnectionCap(_logger, cap, _options.MaxConnections is not null ? ConnectionCapacity.ConfigurationKey
                    : $"{ConnectionCapacity.DefaultShare * 100:0} % of the {limit - open} file descriptors left under the limit of {limit}",
                    table is { } reserved ? $"the descriptor table made for {reserved} at start" : "the descriptor table grows as they come");
            // Linux caps every listen backlog at somaxconn without a word
            if (ListenBacklog.KernelCap() is { } kernelCap && _options.ConnectionBacklog > kernelCap) MqttEndpointLog.BacklogCapped(_logger, _options.ConnectionBacklog, kernelCap);
            return;
        }
    }

    /// <summary>Stops accepting requests, lets running ones finish (bounded), then stops the broker.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var server = _server;
        if (server is null) return;
        server.AcceptNewConnections = false;
        if (_dispatcher is { } dispatcher) await dispatcher.DrainAsync(RequestDispatcher.DrainTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await server.StopAsync(new MqttServerStopOptions
        {
            DefaultClientDisconnectOptions = new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown },
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Disconnects every live session of <paramref name="deviceId"/> (administrative action), e.g. when its
    /// certificate is revoked. Returns how many were closed.
    /// </summary>
    public async Task<int> CloseSessionsAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var server = RunningServer();
        var closed = 0;
        foreach (var client in await server.GetClientsAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!SessionIds.IsOf(client.Id, deviceId)) continue;
            await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.AdministrativeAction })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            closed++;
        }
        foreach (var session in await server.GetSessionsAsync().ConfigureAwait(false))
            if (SessionIds.IsOf(session.Id, deviceId)) await session.DeleteAsync().ConfigureAwait(false);
        MqttEndpointLog.SessionsClosed(_logger, closed, deviceId);
        return closed;
    }

    /// <inheritdoc/>
    public Task<string?> AuthenticatedSessionAsync(string deviceId, bool askLiveness, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_sessions is not { } sessions || sessions.AuthenticatedOf(deviceId) is not { } held) return Task.FromResult<string?>(null);
        if (askLiveness) _ = AskLivenessAsync(sessions, deviceId);
        return Task.FromResult<string?>(held.SessionId);
    }

    /// <summary>Asks <paramref name="deviceId"/>'s authenticated connection whether its peer is there, for the held-session grace or until it ends.</summary>
    private async Task AskLivenessAsync(SessionRegistry sessions, string deviceId)
    {
        try
        {
            await sessions.WaitForReleaseAsync(deviceId, _options.HeldSessionGrace, askLiveness: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            MqttEndpointLog.LivenessAskFailed(_logger, e, deviceId);
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> to <c>iotid/v1/{deviceId}/cmd</c> (QoS 1, not retained). Only a connected
    /// device subscribed to its command topic receives it, and, while <see cref="MqttEndpointOptions.RequireAuthenticatedSession"/>
    /// is on, only on the session its certificate authenticated (<see cref="ReceivesCommands"/>); sessions are not persisted.
    /// </summary>
    public Task PublishCommandAsync(string deviceId, byte[] payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return DeliverAsync(deviceId, Replies.Command(deviceId, payload), ReceivesCommands);
    }

    /// <summary>
    /// Whether a session may be sent the device's commands. A command is for the device that holds the identity, so
    /// while everything after enrolment rides on the authenticated session, it goes only there: an enrolment-only
    /// session is anyone who knows the id (a device whose certificate expired enrols again from its EK and needs none).
    /// Turned off, a device renews on enrolment-only sessions and its commands follow it there.
    /// </summary>
    private bool ReceivesCommands(IDictionary sessionItems) => !_options.RequireAuthenticatedSession || AccessGate.IsAuthenticated(sessionItems);

    /// <summary>Keeps each SUBSCRIBE's subscription identifier for the filters it adds (see <see cref="SessionSubscriptions"/>).</summary>
    private static Task OnInboundPacketAsync(InterceptingPacketEventArgs e)
    {
        if (e.Packet is MqttSubscribePacket subscribe) SessionSubscriptions.Subscribing(e.SessionItems, subscribe);
        return Task.CompletedTask;
    }

    private static Task OnClientUnsubscribedAsync(ClientUnsubscribedTopicEventArgs e)
    {
        SessionSubscriptions.Unsubscribed(e.SessionItems, e.TopicFilter);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Records the subscription for delivery, then tells the handler a device listens for commands again, off the
    /// broker's loop (failures are logged), when the session may be sent them (<see cref="ReceivesCommands"/>).
    /// </summary>
    private Task OnClientSubscribedAsync(ClientSubscribedTopicEventArgs e)
    {
        SessionSubscriptions.Subscribed(e.SessionItems, e.TopicFilter);
        if (e.TopicFilter.Topic != Topics.Commands(e.ClientId) || !ReceivesCommands(e.SessionItems)) return Task.CompletedTask;
        var deviceId = e.ClientId;
        _ = Task.Run(async () =>
        {
            try
            {
                await _handler.CommandsSubscribedAsync(deviceId, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !_stopping.IsCancellationRequested)
            {
                MqttEndpointLog.SubscribedHandlerFailed(_logger, ex, deviceId);
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Tells the handler an authenticated session opened or closed, off the broker's loop (failures are logged); one
    /// call per session change, none per message. Closures while the endpoint stops are not reported.
    /// </summary>
    private Task OnSessionChangedAsync(string deviceId, System.Collections.IDictionary? sessionItems, bool connected)
    {
        if (sessionItems is null || !AccessGate.IsAuthenticated(sessionItems) || _stopping.IsCancellationRequested) return Task.CompletedTask;
        var at = _time.GetUtcNow();
        _ = Task.Run(async () =>
        {
            try
            {
                await _handler.SessionChangedAsync(deviceId, connected, at, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !_stopping.IsCancellationRequested)
            {
                MqttEndpointLog.PresenceHandlerFailed(_logger, ex, deviceId, connected ? "connected" : "disconnected");
            }
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            if (server.IsStarted) await StopAsync(CancellationToken.None).ConfigureAwait(false);
            server.Dispose();
            _server = null;
        }
        _certificate?.Dispose();
        _metrics.Dispose();
        _stopping.Dispose();
    }

    private bool UsesEphemeralPorts => _options.TlsPort == 0 || (_options.AllowPlaintext && _options.PlaintextPort == 0);

    private MqttServer RunningServer() => _server is { IsStarted: true } server ? server : throw new InvalidOperationException("The MQTT endpoint is not running");

    /// <summary>
    /// Queues <paramref name="message"/> (a reply or a command, addressed under <c>iotid/v1/{deviceId}/</c>) to
    /// <paramref name="session"/> (the device id, or one of its enrolment-only sessions: <see cref="SessionIds"/>) when it is subscribed to the topic, as MQTTnet's dispatch would, without
    /// testing every other session (<see cref="SessionSubscriptions"/>). A device with no session or no matching
    /// subscription gets nothing, as before; a full queue drops the message (<c>MaxPendingMessagesPerClient</c>).
    /// <paramref name="admits"/>, when given, must also accept the session's items (a command's session class);
    /// <paramref name="maxQos"/> caps the QoS it goes at (a reply's, <see cref="Replies.DeliveredReplyQos"/>).
    /// </summary>
    private async Task DeliverAsync(string session, MqttApplicationMessage message, Func<IDictionary, bool>? admits = null,
        MqttQualityOfServiceLevel maxQos = MqttQualityOfServiceLevel.ExactlyOnce)
    {
        // only the device's own sessions may subscribe under its subtree (the gate), so the one addressed is the only one to test
        if (!message.Topic.StartsWith(Topics.DeviceSubtree(SessionIds.DeviceOf(session)), StringComparison.Ordinal))
            throw new ArgumentException($"{message.Topic} is not under the subtree of {session}", nameof(message));
        var server = RunningServer();
        MqttSessionStatus status;
        try
        {
            status = await server.GetSessionAsync(session).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return; // no session: the device has gone
        }
        if (status?.Items is not { } items) return; // (MQTTnet 5.2 throws for a missing session; a later one may answer null)
        if (admits is not null && !admits(items)) return;
        if (SessionSubscriptions.RouteOf(items, message.Topic, (MqttQualityOfServiceLevel)Math.Min((int)message.QualityOfServiceLevel, (int)maxQos)) is not { } route) return;
        message.QualityOfServiceLevel = route.Qos;
        message.SubscriptionIdentifiers = route.SubscriptionIdentifiers;
        status.TryEnqueueApplicationMessage(message, out _);
    }

    private MqttServerOptions BuildServerOptions(X509Certificate2 certificate)
    {
        var ipv4 = IPAddress.Parse(_options.BindAddress);
        var ipv6 = string.IsNullOrEmpty(_options.BindIPv6Address) ? IPAddress.None : IPAddress.Parse(_options.BindIPv6Address);
        var builder = new MqttServerOptionsBuilder()
            .WithEncryptedEndpoint()
            .WithEncryptedEndpointPort(_options.TlsPort)
            .WithEncryptedEndpointBoundIPAddress(ipv4)
            .WithEncryptedEndpointBoundIPV6Address(ipv6)
            .WithEncryptionCertificate(certificate)
            .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithPersistentSessions(false)
            .WithDefaultCommunicationTimeout(_options.ConnectTimeout)
            .WithMaxPendingMessagesPerClient(100)
            .WithConnectionBacklog(_options.ConnectionBacklog);
        builder = _options.AllowPlaintext
            ? builder.WithDefaultEndpoint().WithDefaultEndpointPort(_options.PlaintextPort)
                .WithDefaultEndpointBoundIPAddress(ipv4).WithDefaultEndpointBoundIPV6Address(ipv6)
            : builder.WithoutDefaultEndpoint();
        var serverOptions = builder.Build();
        if (_options.RequestClientCertificates)
        {
            // SslStream's "required" only asks for a certificate; accepting every handshake here leaves the decision
            // to the CONNECT check, which verifies against the tenant's CA (not the machine's roots) and admits a
            // client without a certificate to the enrolment-only class.
            serverOptions.TlsEndpointOptions.ClientCertificateRequired = true;
            serverOptions.TlsEndpointOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        return serverOptions;
    }
}
