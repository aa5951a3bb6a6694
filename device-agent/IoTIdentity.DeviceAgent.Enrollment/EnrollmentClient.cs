using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IoTIdentity.DeviceAgent.Enrollment.Tls;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// A device's MQTT 5 connection to the service: client id = device id, TLS validated against configured trust
/// anchors, subscribed to its own responses and commands. <see cref="RequestAsync{TRequest, TResponse}"/> is one
/// request/response exchange: the request goes to <c>iotid/v1/{id}/req/{op}</c> with response topic
/// <c>iotid/v1/{id}/res/{op}</c> and random correlation data, and the reply carrying that correlation data completes it.
/// A refusal (PUBACK reason or ErrorResponse) throws <see cref="EnrollmentRefusedException"/>.
/// </summary>
public sealed class EnrollmentClient : IEnrollmentChannel, IAsyncDisposable
{
    private static readonly MqttClientFactory Factory = new();

    private readonly IMqttClient _client;
    private readonly EnrollmentClientOptions _options;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<MqttApplicationMessage>> _pending = new(StringComparer.Ordinal);

    private EnrollmentClient(IMqttClient client, string deviceId, EnrollmentClientOptions options)
    {
        _client = client;
        _options = options;
        DeviceId = deviceId;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    /// <summary>The device id this client is connected as.</summary>
    public string DeviceId { get; }

    /// <summary>Whether the session was opened with a client certificate (authenticated, not enrolment-only).</summary>
    public bool IsAuthenticated { get; private set; }

    /// <summary>Whether the MQTT connection is up.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Raised with the payload of each message on <c>iotid/v1/{id}/cmd</c>.</summary>
    public event Func<ReadOnlyMemory<byte>, Task>? CommandReceived;

    /// <summary>Connects as <paramref name="deviceId"/> and subscribes to the device's responses and commands.</summary>
    public static async Task<EnrollmentClient> ConnectAsync(string deviceId, EnrollmentClientOptions options, CancellationToken cancellationToken = default)
    {
        if (!DeviceIds.IsValid(deviceId)) throw new ArgumentException("not a valid device id", nameof(deviceId));
        var mqtt = Factory.CreateMqttClient();
        var client = new EnrollmentClient(mqtt, deviceId, options);
        X509Certificate2? certificate = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            certificate = options.UseTls ? options.ClientCertificate?.Invoke() : null;
            var tpmCertificate = options.UseTls && certificate is null ? options.TpmClientCertificate?.Invoke() : null;
            var connected = await mqtt.ConnectAsync(client.BuildOptions(certificate, tpmCertificate), timeout.Token).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
                throw EnrollmentRefusedException.ConnectRefused(connected.ResultCode.ToString(), connected.ReasonString);
            client.IsAuthenticated = certificate is not null || tpmCertificate is not null;
            var subscribed = await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(Topics.DeviceSubtree(deviceId) + "res/#", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(Topics.Commands(deviceId), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), timeout.Token).ConfigureAwait(false);
            if (subscribed.Items.Any(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
                throw new EnrollmentRefusedException(ProvisioningError.NotAuthorized, detail: "SUBSCRIBE refused");
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            certificate?.Dispose();
        }
    }

    /// <summary>Step 1: sends <c>register</c> and returns the challenge.</summary>
    public Task<ChallengeResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
        RequestAsync(Topics.Operations.Register, request, ProtocolJson.Default.RegisterRequest, ProtocolJson.Default.ChallengeResponse, cancellationToken);

    /// <summary>Step 2: sends <c>attest</c> and returns the issued certificate.</summary>
    public Task<IssuedResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken = default) =>
        RequestAsync(Topics.Operations.Attest, request, ProtocolJson.Default.AttestRequest, ProtocolJson.Default.IssuedResponse, cancellationToken);

    /// <summary>Step 3: sends <c>token</c> (signed by <see cref="TpmEnrollment.SignTokenRequestAsync"/>) and returns the JWT.</summary>
    public Task<TokenResponse> RequestTokenAsync(TokenRequest request, CancellationToken cancellationToken = default) =>
        RequestAsync(Topics.Operations.Token, request, ProtocolJson.Default.TokenRequest, ProtocolJson.Default.TokenResponse, cancellationToken);

    /// <summary>One request/response exchange with JSON bodies (see the type's summary).</summary>
    public async Task<TResponse> RequestAsync<TRequest, TResponse>(string operation, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default)
    {
        var reply = await RequestRawAsync(operation, JsonSerializer.SerializeToUtf8Bytes(request, requestType), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(reply, responseType) ?? throw new JsonException($"empty {operation} reply");
    }

    /// <summary>
    /// One request/response exchange with a raw body (for tests and adversarial simulations); returns the reply body.
    /// </summary>
    public async Task<byte[]> RequestRawAsync(string operation, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var correlation = RandomNumberGenerator.GetBytes(16);
        var key = Convert.ToHexString(correlation);
        var reply = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[key] = reply;
        try
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Request(DeviceId, operation))
                .WithResponseTopic(Topics.Response(DeviceId, operation))
                .WithCorrelationData(correlation)
                .WithContentType("application/json")
                .WithPayloadSegment(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var published = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (!published.IsSuccess)
                throw Refusal(published.UserProperties, null, $"PUBACK {published.ReasonCode}");
            var received = await reply.Task.WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            var body = received.Payload.ToArray();
            if (Property(received.UserProperties, MqttUserProperties.Error) is not null) throw Refusal(received.UserProperties, body, null);
            return body;
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>Disconnects cleanly (best effort) and releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or TimeoutException or OperationCanceledException)
        {
        }
        _client.Dispose();
        foreach (var pending in _pending.Values) pending.TrySetCanceled();
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (message.Topic == Topics.Commands(DeviceId))
        {
            if (CommandReceived is { } handler) await handler(message.Payload.ToArray()).ConfigureAwait(false);
            return;
        }
        if (message.CorrelationData is { Length: > 0 } correlation && _pending.TryGetValue(Convert.ToHexString(correlation), out var pending))
            pending.TrySetResult(message);
    }

    private static EnrollmentRefusedException Refusal(IReadOnlyCollection<MqttUserProperty>? properties, byte[]? body, string? detail)
    {
        ErrorResponse? response = null;
        if (body is not null)
        {
            try { response = JsonSerializer.Deserialize(body, ProtocolJson.Default.ErrorResponse); }
            catch (JsonException) { }
        }
        var error = response?.Error
            ?? (Enum.TryParse<ProvisioningError>(Property(properties, MqttUserProperties.Error), out var named) ? named : ProvisioningError.NotAuthorized);
        var seconds = response?.RetryAfterSeconds
            ?? (int.TryParse(Property(properties, MqttUserProperties.RetryAfter), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null);
        return new EnrollmentRefusedException(error, seconds is { } wait ? TimeSpan.FromSeconds(wait) : null, detail ?? response?.Message);
    }

    private static string? Property(IEnumerable<MqttUserProperty>? properties, string name) =>
        properties?.FirstOrDefault(p => p.Name == name)?.ReadValueAsString();

    private MqttClientOptions BuildOptions(X509Certificate2? clientCertificate, TpmClientCertificate? tpmCertificate)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(DeviceId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTcpServer(_options.Host, _options.Port)
            .WithCleanStart()
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout);
        if (tpmCertificate is not null)
            // TLS 1.3 by our own client, the TPM signing the handshake; MQTTnet layers nothing more on the stream
            builder.WithStreamProvider(new TpmTlsStreamProvider(_options.Host, tpmCertificate, _options.BrokerTrust, _options.InsecureSkipServerCertificateValidation));
        else if (_options.UseTls)
        {
            var trust = _options.BrokerTrust;
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(_options.Host)
                    .WithCertificateValidationHandler(args => _options.InsecureSkipServerCertificateValidation
                        || trust.IsTrusted(args.Certificate, args.Chain, args.SslPolicyErrors));
                // the TLS layer's own chain is then built against the anchors, not the whole system store
                if (trust.Anchors.Count > 0) tls.WithTrustChain(trust.Anchors);
                if (clientCertificate is not null) tls.WithClientCertificates([clientCertificate]);
                if (_options.TlsProtocols != System.Security.Authentication.SslProtocols.None) tls.WithSslProtocols(_options.TlsProtocols);
            });
        }
        return builder.Build();
    }
}
