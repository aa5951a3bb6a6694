using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>Builds the messages and PUBACK reasons the endpoint answers with.</summary>
internal static class Replies
{
    public const string ContentType = "application/json";

    private static readonly HashSet<byte> PubAckCodes = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];

    /// <summary>A terse, peer-safe ErrorResponse body.</summary>
    public static byte[] Error(ProvisioningError error, int? retryAfterSeconds = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Error = error, RetryAfterSeconds = retryAfterSeconds }, ProtocolJson.Default.ErrorResponse);

    /// <summary>
    /// The PUBACK reason for a refusal: the protocol's single mapping (<see cref="ProvisioningErrors.MqttReasonCode"/>)
    /// when that code is legal in a PUBACK, else "implementation specific error"; the user properties name the error.
    /// </summary>
    public static MqttPubAckReasonCode PubAckReason(ProvisioningError error)
    {
        var code = ProvisioningErrors.MqttReasonCode(error);
        return PubAckCodes.Contains(code) ? (MqttPubAckReasonCode)code : MqttPubAckReasonCode.ImplementationSpecificError;
    }

    /// <summary>The user properties of a refusal: <c>iotid-error</c> and, when known, <c>retry-after</c>.</summary>
    public static List<MqttUserProperty> ErrorProperties(ProvisioningError error, int? retryAfterSeconds)
    {
        var properties = new List<MqttUserProperty> { Property(MqttUserProperties.Error, error.ToString()) };
        if (retryAfterSeconds is { } seconds) properties.Add(Property(MqttUserProperties.RetryAfter, seconds.ToString(CultureInfo.InvariantCulture)));
        return properties;
    }

    /// <summary>
    /// The QoS at which the embedded endpoint delivers a reply to the device's session: 0, whatever QoS the device
    /// subscribed with. Its session starts clean and lives on one TCP connection, which delivers in order or not at all,
    /// so QoS 1 would add only the device's PUBACK per reply: a lost connection loses an unacknowledged reply under
    /// either QoS, and the device tries again, as after a timeout (the agent's daemon retries; a one-shot run fails
    /// with the network exit code, for its supervisor to run again). Requests stay QoS 1 (their PUBACK carries
    /// the admission's refusal), and so do commands and replies published to an external broker (its PUBACK reports
    /// its ACL's refusal).
    /// </summary>
    public const MqttQualityOfServiceLevel DeliveredReplyQos = MqttQualityOfServiceLevel.AtMostOnce;

    /// <summary>A reply on the request's response topic with its correlation data (QoS 1 as published; see <see cref="DeliveredReplyQos"/>).</summary>
    public static MqttApplicationMessage Message(string topic, byte[] correlationData, ReadOnlyMemory<byte> payload, ProvisioningError? error, int? retryAfterSeconds)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithCorrelationData(correlationData)
            .WithContentType(ContentType)
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(false)
            .WithPayloadSegment(payload);
        if (error is { } e)
            foreach (var property in ErrorProperties(e, retryAfterSeconds)) builder.WithUserProperty(property.Name, property.ValueBuffer);
        return builder.Build();
    }

    /// <summary>A command for <c>iotid/v1/{deviceId}/cmd</c> (QoS 1, not retained).</summary>
    /// <exception cref="ArgumentException"><paramref name="deviceId"/> is not a valid device id.</exception>
    public static MqttApplicationMessage Command(string deviceId, byte[] payload)
    {
        if (!DeviceIds.IsValid(deviceId)) throw new ArgumentException("not a valid device id", nameof(deviceId));
        return new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Commands(deviceId))
            .WithPayload(payload)
            .WithContentType(ContentType)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(false)
            .Build();
    }

    private static MqttUserProperty Property(string name, string value) => new(name, (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(value));

    /// <summary>Seconds to tell a client to wait: at least 1, rounded up.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
