using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The endpoint's TCP listeners, in place of MQTTnet's own (whose accept path has no hook below the packet reader):
/// the same listeners the server options describe (IPv4 and IPv6 addresses, plaintext and TLS ports, port 0 written
/// back), with two limits MQTTnet lacks. The TLS handshake must finish within the connect timeout (MQTTnet waits for
/// it without one), and every connection reads through a <see cref="PacketLengthGuard"/> (<see cref="GuardedChannel"/>), so a declared packet over
/// <see cref="MqttEndpointOptions.MaxPacketBytes"/> closes the connection before anything is allocated for it. The
/// CONNECT itself, and each later packet, must then arrive within MQTTnet's communication timeout.
/// </summary>
/// <remarks>
/// Every listener's connections count against one cap, <paramref name="maxConnections"/> (null: none), from the moment
/// a connection is accepted until its socket is closed: one more is reset as soon as it is accepted, before any TLS
/// work, so a flood of connects costs the service an accept and a close each and never its last file descriptor
/// (<see cref="ConnectionCapacity"/>); its log line, like those of the refusals before CONNECT, comes at most every ten
/// seconds (<see cref="LogThrottle"/>). If the process runs out of descriptors anyway (another part of it used them), the
/// accept that fails leaves its connection in the backlog, so the loop pauses, from 5 ms doubling up to a second,
/// instead of spinning on the same failure.
/// </remarks>
internal sealed class GuardedTcpServerAdapter(MqttEndpointOptions options, int? maxConnections, EndpointMetrics metrics, ILogger logger, LogThrottle throttle) : IMqttServerAdapter
{
    internal static readonly TimeSpan FirstAcceptPause = TimeSpan.FromMilliseconds(5);
    internal static readonly TimeSpan LongestAcceptPause = TimeSpan.FromSeconds(1);

    private readonly List<Socket> _listeners = [];
    private CancellationTokenSource? _stopping;
    private ServerTls? _serverTls;
    private readonly ConnectionSlots _slots = new(maxConnections);
    private long _accepted;

    /// <summary>Connections accepted and not yet closed, across every listener.</summary>
    public int HeldConnections => _slots.Held;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions serverOptions, IMqttNetLogger mqttLogger)
    {
        if (_stopping is not null) throw new InvalidOperationException("already started");
        _stopping = new CancellationTokenSource();
        try
        {
            if (serverOptions.DefaultEndpointOptions.IsEnabled) Listen(serverOptions, serverOptions.DefaultEndpointOptions, null, mqttLogger);
            if (serverOptions.TlsEndpointOptions is { IsEnabled: true } tls) Listen(serverOptions, tls, tls, mqttLogger);
        }
        catch
        {
            Stop();
            throw;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        _stopping?.Cancel();
        foreach (var socket in _listeners) socket.Dispose();
        _listeners.Clear();
        _stopping?.Dispose();
        _stopping = null;
    }

    private void Listen(MqttServerOptions serverOptions, MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls, IMqttNetLogger mqttLogger)
    {
        foreach (var address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address })
        {
            // IPAddress.None marks a family not listened on, as in MQTTnet's own adapter; IPv6None is "::", which is
            // IPv6Any — the address that listens on every interface, not a marker
            if (address.Equals(IPAddress.None)) continue;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listeners.Add(socket);
            if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
            try
            {
                socket.Bind(new IPEndPoint(address, endpoint.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // named as Kestrel names its own, so the start's failure says which listener could not bind
                throw new IOException($"Failed to bind the MQTT {(tls is null ? "plaintext" : "TLS")} listener to {new IPEndPoint(address, endpoint.Port)}: address already in use.", e);
            }
            endpoint.Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            socket.Listen(endpoint.ConnectionBacklog);
            var stopping = _stopping!.Token;
            _ = Task.Run(() => AcceptAsync(socket, serverOptions, endpoint, tls, mqttLogger, stopping), CancellationToken.None);
        }
    }

    private async Task AcceptAsync(Socket listener, MqttServerOptions serverOptions, MqttServerTcpEndpointBaseOptions endpoint,
        MqttServerTlsTcpEndpointOptions? tls, IMqttNetLogger mqttLogger, CancellationToken stopping)
    {
        var pause = TimeSpan.Zero;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // EMFILE, ENFILE, ENOBUFS: the connection stays in the backlog, so an accept at once fails the same way
                pause = NextAcceptPause(pause);
                if (throttle.Occurred(AcceptPausedKey) is { } failures) MqttEndpointLog.AcceptPaused(logger, pause, e.SocketErrorCode.ToString(), failures);
                try
                {
                    await Task.Delay(pause, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            catch (SocketException e)
            {
                MqttEndpointLog.AcceptFailed(logger, e.SocketErrorCode.ToString());
                continue;
            }
            pause = TimeSpan.Zero;
            if (!_slots.TryTake())
            {
                RefuseAtCap(client);
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client, serverOptions, endpoint, tls, mqttLogger, stopping).ConfigureAwait(false);
                }
                finally
                {
                    client.Dispose();   // already closed by its stream unless serving failed before that
                    _slots.Release();
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>The pause after an accept failed for want of descriptors: <see cref="FirstAcceptPause"/> after a success (<paramref name="last"/> zero), then twice the last, at most <see cref="LongestAcceptPause"/>.</summary>
    internal static TimeSpan NextAcceptPause(TimeSpan last) =>
        last <= TimeSpan.Zero ? FirstAcceptPause : TimeSpan.FromTicks(Math.Min(last.Ticks * 2, LongestAcceptPause.Ticks));

    /// <summary>Resets a connection over the cap before any TLS work (no lingering close), counts it, and says so at most every ten seconds.</summary>
    private void RefuseAtCap(Socket client)
    {
        metrics.Refused(MqttRefusals.TotalConnections);   // before the reset: whoever sees the reset sees it counted
        ConnectionSlots.ResetOnClose(client);
        client.Dispose();
        if (throttle.Occurred(MqttRefusals.TotalConnections) is { } refused) MqttEndpointLog.AtConnectionCap(logger, maxConnections ?? 0, refused);
    }

    private const string AcceptPausedKey = "accept_paused";

    /// <summary>A connection refused before its CONNECT (anyone can cause one): counted each time, logged as <see cref="LogThrottle"/> allows.</summary>
    private void RefuseConnection(EndPoint? remote, string reason)
    {
        metrics.Refused(reason);
        if (throttle.Occurred(reason) is { } count) MqttEndpointLog.ConnectionsRefused(logger, remote?.ToString(), reason, count);
    }

    /// <summary>
    /// The server certificate's TLS context, built once per certificate: given only the certificate, every handshake
    /// would build its chain again and, on Linux, a new OpenSSL context (the largest part of the service's TLS cost).
    /// A provider that hands out another certificate gets a context for it.
    /// </summary>
    private SslStreamCertificateContext ServerContext(X509Certificate2 certificate)
    {
        if (_serverTls is { } cached && ReferenceEquals(cached.Certificate, certificate)) return cached.Context;
        var context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        _serverTls = new ServerTls(certificate, context);   // one reference, so a concurrent handshake sees a matching pair
        return context;
    }

    /// <summary>
    /// The policy of the chain <see cref="SslStream"/> builds for a client certificate before it calls the validation
    /// callback (it always does, whatever the callback): nothing to trust, no certificate store to search, no
    /// downloads, no revocation. The endpoint's callback accepts every handshake and the certificate is judged at
    /// CONNECT by the <see cref="IDeviceCertificateVerifier"/> against its own tenant's CA, so this build decides
    /// nothing; with the default policy it searched the machine's root and intermediate stores on every connect.
    /// A new policy per handshake: the stream adds the client's certificates to its extra store.
    /// </summary>
    private static X509ChainPolicy ClientChainPolicy() => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        RevocationMode = X509RevocationMode.NoCheck,
        DisableCertificateDownloads = true,
    };

    private sealed record ServerTls(X509Certificate2 Certificate, SslStreamCertificateContext Context);

    private async Task ServeAsync(Socket client, MqttServerOptions serverOptions, MqttServerTcpEndpointBaseOptions endpoint,
        MqttServerTlsTcpEndpointOptions? tls, IMqttNetLogger mqttLogger, CancellationToken stopping)
    {
        client.NoDelay = endpoint.NoDelay;
        var remote = client.RemoteEndPoint;
        Stream stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            X509Certificate2? clientCertificate = null;
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.RemoteCertificateValidationCallback);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                handshake.CancelAfter(options.ConnectTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = ServerContext(tls.CertificateProvider.GetCertificate()),
                    ClientCertificateRequired = tls.ClientCertificateRequired,
                    EnabledSslProtocols = tls.SslProtocol,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                    CipherSuitesPolicy = tls.CipherSuitesPolicy,
                    CertificateChainPolicy = tls.ClientCertificateRequired ? ClientChainPolicy() : null,
                }, handshake.Token).ConfigureAwait(false);
                clientCertificate = ssl.RemoteCertificate switch
                {
                    X509Certificate2 certificate => certificate,
                    { } other => X509CertificateLoader.LoadCertificate(other.GetRawCertData()),
                    null => null,
                };
            }
            var guard = new PacketLengthGuard(options.MaxPacketBytes, () =>
            {
                RefuseConnection(remote, MqttRefusals.PacketTooLarge);
            });
            var channel = new GuardedChannel(stream, tls is not null, client.LocalEndPoint, remote, clientCertificate, guard);
            IMqttChannelAdapter adapter = new MqttChannelAdapter(channel,
                new MqttPacketFormatterAdapter(new MqttBufferWriter(serverOptions.WriterBufferSize, serverOptions.WriterBufferSizeMax)), mqttLogger)
            {
                AllowPacketFragmentation = endpoint.AllowPacketFragmentation,
            };
            // a connection with a certificate may hold its device's one authenticated session: another CONNECT of the
            // device can ask whether its peer is still there; an enrolment-only connection gets a session of its own,
            // which no other connection can take over
            if (clientCertificate is not null)
                adapter = new ProbedChannelAdapter(adapter, new LivenessProbe(client));
            else if (options.RequireAuthenticatedSession)
                adapter = new EnrolmentOnlyChannelAdapter(adapter, Interlocked.Increment(ref _accepted));
            using (adapter)
                if (ClientHandler is { } handler) await handler(adapter).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            RefuseConnection(remote, MqttRefusals.SlowHandshake);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            MqttEndpointLog.ConnectionFailed(logger, remote?.ToString(), e.Message);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
