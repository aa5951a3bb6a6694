using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// <see cref="MqttMode.External"/>: the silo is an MQTT 5 client of an existing broker. It subscribes (QoS 1) to
/// <c>$share/{SharedGroup}/iotid/v1/+/req/+</c>, so the broker spreads device requests over every silo of the group;
/// each request passes the same rules as on the embedded endpoint (<see cref="RequestAdmission"/>, minus the
/// per-address rate: the broker hides the device's address), runs through the same <see cref="RequestDispatcher"/>,
/// and is answered on its response topic with its correlation data. Which device may publish or subscribe where is
/// the broker's ACL's job. The connection is kept up by a loop that reconnects with doubling, jittered delays; its
/// state is <see cref="Health"/>.
/// </summary>
public sealed class ExternalBrokerClient : IDeviceChannel, IHostedService, IAsyncDisposable
{
    private readonly IDeviceRequestHandler _handler;
    private readonly MqttEndpointOptions _options;
    private readonly ExternalBrokerOptions _broker;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly EndpointMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly IMqttClient _client;
    private readonly string _brokerAddress;
    private TaskCompletionSource _disconnected = NewSignal();
    private RequestDispatcher? _dispatcher;
    private RequestAdmission? _admission;
    private Task? _loop;
    private volatile MqttChannelHealth _health;

    /// <summary>Creates the client; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <exception cref="InvalidOperationException"><c>Mqtt:External:Host</c> is not configured.</exception>
    public ExternalBrokerClient(IDeviceRequestHandler handler, IOptions<MqttEndpointOptions> options, ILogger<ExternalBrokerClient> logger,
        IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        _handler = handler;
        _options = options.Value;
        _broker = _options.External;
        if (string.IsNullOrWhiteSpace(_broker.Host))
            throw new InvalidOperationException("Mqtt:Mode is 'external', but Mqtt:External:Host (the broker to attach to) is not configured.");
        if (string.IsNullOrEmpty(_broker.SharedGroup) || !_broker.SharedGroup.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new InvalidOperationException($"Mqtt:External:SharedGroup '{_broker.SharedGroup}' must be ASCII letters, digits, '-' or '_'.");
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new EndpointMetrics(meterFactory);
        ClientId = _broker.ClientId ?? $"iotid-service-{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}";
        _brokerAddress = $"{_broker.Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        _health = new MqttChannelHealth("external", "stopped", false, _brokerAddress);
    }

    /// <summary>The MQTT client id this silo uses at the broker.</summary>
    public string ClientId { get; }

    /// <summary>The shared subscription this silo joins: <c>$share/{SharedGroup}/iotid/v1/+/req/+</c>.</summary>
    public string SharedSubscription => $"$share/{_broker.SharedGroup}/{Topics.AllRequests}";

    /// <inheritdoc/>
    public MqttChannelHealth Health => _health;

    /// <inheritdoc/>
    public bool ReachesOnlyThisSilo => false;

    internal Meter Meter => _metrics.Meter;

    private int Port => _broker.Port != 0 ? _broker.Port : _broker.UseTls ? 8883 : 1883;

    /// <summary>
    /// Starts the connection loop and waits (at most <see cref="ExternalBrokerOptions.ConnectTimeout"/>) for the first
    /// connection; a broker that is not reachable yet does not stop the silo from starting: the loop keeps trying and
    /// <c>/healthz</c> says so.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null) throw new InvalidOperationException("The external broker client is already started");
        _dispatcher = new RequestDispatcher(_handler, _options, (_, message) => PublishAsync(message), _metrics, _logger, _stopping.Token);
        _admission = new RequestAdmission(_options, _dispatcher, _metrics, _time, _logger);
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = Task.Run(() => KeepConnectedAsync(firstAttempt), CancellationToken.None);
        await Task.WhenAny(firstAttempt.Task, Task.Delay(_broker.ConnectTimeout, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Leaves the shared subscription (the broker sends new requests to the other silos), lets running requests finish
    /// and answer (bounded), then disconnects.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null || _stopping.IsCancellationRequested) return;
        if (_client.IsConnected)
        {
            try
            {
                await _client.UnsubscribeAsync(SharedSubscription, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // the broker went away meanwhile: nothing more will arrive anyway
            }
        }
        if (_dispatcher is { } dispatcher) await dispatcher.DrainAsync(RequestDispatcher.DrainTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_client.IsConnected)
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(),
                CancellationToken.None).ConfigureAwait(false);
        _health = _health with { State = "stopped", Healthy = false, LastError = null };
        MqttEndpointLog.BrokerDetached(_logger, _brokerAddress);
    }

    /// <inheritdoc/>
    public Task PublishCommandAsync(string deviceId, byte[] payload, CancellationToken cancellationToken = default) =>
        PublishAsync(Replies.Command(deviceId, payload), cancellationToken);

    /// <summary>
    /// Cannot be done by an MQTT client: closing a device's live session behind an external broker is the broker's
    /// job (see docs/deployment.md). Logs that and returns 0.
    /// </summary>
    public Task<int> CloseSessionsAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        MqttEndpointLog.SessionCloseLeftToBroker(_logger, deviceId, _brokerAddress);
        return Task.FromResult(0);
    }

    /// <inheritdoc/>
    public Task<string?> AuthenticatedSessionAsync(string deviceId, bool askLiveness, CancellationToken cancellationToken = default) =>
        Task.FromResult<string?>(null);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _client.Dispose();
        _metrics.Dispose();
        _stopping.Dispose();
    }

    private async Task KeepConnectedAsync(TaskCompletionSource firstAttempt)
    {
        var delay = _broker.ReconnectDelay;
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _disconnected = NewSignal();
                await ConnectAndSubscribeAsync(stopping).ConfigureAwait(false);
                _health = _health with { State = "connected", Healthy = true, LastError = null };
                MqttEndpointLog.BrokerAttached(_logger, _brokerAddress, ClientId, SharedSubscription);
                firstAttempt.TrySetResult();
                delay = _broker.ReconnectDelay;
                await _disconnected.Task.WaitAsync(stopping).ConfigureAwait(false);
                _health = _health with { State = "reconnecting", Healthy = false, LastError = "the connection to the broker was lost" };
                MqttEndpointLog.BrokerLost(_logger, _brokerAddress);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                var state = _health.State == "stopped" ? "connecting" : "reconnecting";
                _health = _health with { State = state, Healthy = false, LastError = e.Message };
                firstAttempt.TrySetResult();
                var wait = Jittered(delay);
                MqttEndpointLog.BrokerUnreachable(_logger, _brokerAddress, e.Message, wait);
                try
                {
                    await Task.Delay(wait, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _broker.MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task ConnectAndSubscribeAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected) await _client.DisconnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var connected = await _client.ConnectAsync(BuildOptions(), cancellationToken).ConfigureAwait(false);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"the broker refused the connection: {connected.ResultCode} {connected.ReasonString}".TrimEnd());
        var subscription = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter => filter.WithTopic(SharedSubscription).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        var result = await _client.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
        var code = result.Items.Single().ResultCode;
        if (code > MqttClientSubscribeResultCode.GrantedQoS2)
        {
            await _client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            throw new InvalidOperationException($"the broker refused the subscription {SharedSubscription}: {code} (check its ACL for this user)");
        }
    }

    private MqttClientOptions BuildOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTcpServer(_broker.Host, Port)
            .WithCleanStart()
            .WithSessionExpiryInterval(0)
            .WithKeepAlivePeriod(_broker.KeepAlive)
            .WithTimeout(_broker.ConnectTimeout);
        if (_broker.Username is { } user) builder.WithCredentials(user, _broker.Password ?? "");
        if (_broker.UseTls)
        {
            var anchors = new X509Certificate2Collection();
            if (_broker.CaCertificatePath is { } path) anchors.ImportFromPemFile(path);
            builder.WithTlsOptions(tls => tls.UseTls().WithTargetHost(_broker.Host)
                .WithCertificateValidationHandler(args => BrokerCertificateValidation.IsTrusted(args.Certificate, args.Chain, args.SslPolicyErrors, anchors)));
        }
        return builder.Build();
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // the broker's ACL already kept the sender to its own request topics: the device id is the topic's
        _admission?.Admit(clientId: null, e.ApplicationMessage, address: null);
        return Task.CompletedTask;
    }

    private Task PublishAsync(MqttApplicationMessage message) => PublishAsync(message, CancellationToken.None);

    private async Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
            throw new InvalidOperationException($"the broker refused the publish to {message.Topic}: {result.ReasonCode} (check its ACL for this user)");
    }

    private static TimeSpan Jittered(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.75 + Random.Shared.NextDouble() * 0.5)));

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
