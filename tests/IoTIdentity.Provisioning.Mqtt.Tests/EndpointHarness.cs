using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// A real <see cref="MqttEndpoint"/> on OS-chosen loopback ports, TLS with its generated dev certificate in a
/// private data directory, a <see cref="FakeHandler"/>, and a meter listener that counts this endpoint's refusals.
/// </summary>
internal sealed class EndpointHarness : IAsyncDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<IMqttClient> _clients = [];
    private readonly bool _ownsDirectory;
    private readonly IDeviceRequestHandler _handler;

    private EndpointHarness(MqttEndpointOptions options, IDeviceRequestHandler handler, bool ownsDirectory, TimeProvider? time, IDeviceCertificateVerifier? verifier,
        ILogger<MqttEndpoint>? logger = null)
    {
        Options = options;
        _handler = handler;
        _ownsDirectory = ownsDirectory;
        Endpoint = new MqttEndpoint(handler, Microsoft.Extensions.Options.Options.Create(options), logger ?? NullLogger<MqttEndpoint>.Instance, timeProvider: time, certificateVerifier: verifier);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Endpoint.Meter) && instrument.Name is "iotid.mqtt.refusals" or "iotid.mqtt.clone_signals")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "iotid.mqtt.clone_signals") Interlocked.Add(ref _cloneSignals, value);
            foreach (var tag in tags)
                if (tag.Key == "reason") Refusals.AddOrUpdate((string)tag.Value!, value, (_, v) => v + value);
        });
        _listener.Start();
    }

    public MqttEndpoint Endpoint { get; }
    public MqttEndpointOptions Options { get; }
    public FakeHandler Handler => (FakeHandler)_handler;
    public ConcurrentDictionary<string, long> Refusals { get; } = new();

    private long _cloneSignals;

    public long CloneSignals => Interlocked.Read(ref _cloneSignals);

    public long RefusalCount(string reason) => Refusals.GetValueOrDefault(reason);

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "iotid-mqtt-tests", Guid.NewGuid().ToString("N"));

    public static async Task<EndpointHarness> StartAsync(Action<MqttEndpointOptions>? configure = null, IDeviceRequestHandler? handler = null, TimeProvider? time = null,
        IDeviceCertificateVerifier? verifier = null, ILogger<MqttEndpoint>? logger = null)
    {
        var options = new MqttEndpointOptions { BindAddress = "127.0.0.1", TlsPort = 0, PlaintextPort = 0, DataDirectory = NewDataDirectory() };
        var directory = options.DataDirectory;
        configure?.Invoke(options);
        var harness = new EndpointHarness(options, handler ?? new FakeHandler(), ownsDirectory: options.DataDirectory == directory, time, verifier, logger);
        await harness.Endpoint.StartAsync(CancellationToken.None).Within();
        return harness;
    }

    public static string NewDeviceId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// An MQTT 5 client over TLS that trusts exactly this endpoint's certificate; with <paramref name="from"/>, connected
    /// from that local address to that address (the endpoint must listen on its family); with <paramref name="source"/>,
    /// from that local address to the endpoint's usual one; with <paramref name="sockets"/>, over a socket it opens and
    /// the test holds.
    /// </summary>
    public async Task<IMqttClient> ConnectAsync(string clientId, bool tls = true, bool throwOnFailure = true, X509Certificate2? clientCertificate = null,
        IPAddress? from = null, IPAddress? source = null, OwnSockets? sockets = null)
    {
        var client = CreateClient();
        var options = ClientOptions(clientId, tls, clientCertificate);
        var tcp = (MqttClientTcpOptions)options.ChannelOptions;
        if (from is not null)
        {
            tcp.RemoteEndpoint = new IPEndPoint(from, tls ? Endpoint.TlsPort : Endpoint.PlaintextPort ?? Endpoint.TlsPort);
            tcp.LocalEndpoint = new IPEndPoint(from, 0);
        }
        // another loopback source (127.0.0.0/8 is all on lo) to the endpoint's 127.0.0.1: another sender, as the endpoint sees it
        if (source is not null) tcp.LocalEndpoint = new IPEndPoint(source, 0);
        // the connection over a socket the test holds (to make it vanish as a device that lost power does)
        tcp.StreamProvider = sockets;
        var result = await client.ConnectAsync(options, CancellationToken.None).Within();
        if (throwOnFailure && result.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        return client;
    }

    public IMqttClient CreateClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        lock (_clients) _clients.Add(client);
        return client;
    }

    public MqttClientOptions ClientOptions(string clientId, bool tls = true, X509Certificate2? clientCertificate = null)
    {
        var thumbprint = Endpoint.ServerCertificate.Thumbprint;
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))   // a CONNECT meeting a live session is refused after the held-session grace (5 s)
            .WithCleanStart();
        if (tls)
            return builder.WithTcpServer("127.0.0.1", Endpoint.TlsPort)
                .WithTlsOptions(o =>
                {
                    o.UseTls().WithCertificateValidationHandler(a => a.Certificate.GetCertHashString() == thumbprint);
                    if (clientCertificate is not null) o.WithClientCertificates([clientCertificate]);
                })
                .Build();
        return builder.WithTcpServer("127.0.0.1", Endpoint.PlaintextPort ?? Endpoint.TlsPort).Build();
    }

    public async ValueTask DisposeAsync()
    {
        IMqttClient[] clients;
        lock (_clients) clients = [.. _clients];
        foreach (var client in clients)
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception)
            {
            }
            client.Dispose();
        }
        await Endpoint.DisposeAsync().AsTask().Within();
        _listener.Dispose();
        if (_ownsDirectory && Directory.Exists(Options.DataDirectory)) Directory.Delete(Options.DataDirectory, recursive: true);
    }
}
