using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using IoTIdentity.Protocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>A hand-driven MQTT 5 device: publishes whatever a test says and collects what it receives.</summary>
internal sealed class RawDevice
{
    private readonly Channel<MqttApplicationMessage> _received = Channel.CreateUnbounded<MqttApplicationMessage>();

    private RawDevice(IMqttClient client, string id)
    {
        Client = client;
        Id = id;
        client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }
    public string Id { get; }

    /// <summary>Connects as <paramref name="id"/> (a new id when null), authenticated when a <paramref name="certificate"/> is given, from <paramref name="source"/> when given.</summary>
    public static async Task<RawDevice> ConnectAsync(EndpointHarness harness, string? id = null, bool subscribe = true, X509Certificate2? certificate = null,
        System.Net.IPAddress? source = null)
    {
        id ??= EndpointHarness.NewDeviceId();
        var device = new RawDevice(await harness.ConnectAsync(id, clientCertificate: certificate, source: source), id);
        if (subscribe)
        {
            var result = await device.Client.SubscribeAsync(Topics.DeviceSubtree(id) + "res/#", MqttQualityOfServiceLevel.AtLeastOnce).Within();
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        }
        return device;
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, string? responseTopic, byte[]? correlationData)
    {
        var builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null) builder.WithResponseTopic(responseTopic);
        if (correlationData is not null) builder.WithCorrelationData(correlationData);
        return Client.PublishAsync(builder.Build(), CancellationToken.None).Within();
    }

    /// <summary>A well-formed request for <paramref name="op"/>.</summary>
    public Task<MqttClientPublishResult> RequestAsync(string op, byte[] payload, byte[] correlationData) =>
        PublishAsync(Topics.Request(Id, op), payload, Topics.Response(Id, op), correlationData);

    public Task<MqttApplicationMessage> NextAsync(TimeSpan? timeout = null) => _received.Reader.ReadAsync().AsTask().Within(timeout);

    /// <summary>True when nothing arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> NothingArrivesAsync(TimeSpan quiet)
    {
        using var cts = new CancellationTokenSource(quiet);
        try
        {
            await _received.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
