using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The <c>reason</c> tag values of the endpoint's <c>iotid.mqtt.refusals</c> counter (meter
/// <see cref="MqttEndpoint.MeterName"/>): one per rule a client can break.
/// </summary>
public static class MqttRefusals
{
    /// <summary>CONNECT with a client id that is not a valid device id.</summary>
    public const string ClientId = "client_id";
    /// <summary>CONNECT with a protocol other than MQTT 5.</summary>
    public const string ProtocolVersion = "protocol_version";
    /// <summary>CONNECT over plaintext while plaintext is not allowed.</summary>
    public const string Plaintext = "plaintext";
    /// <summary>PUBLISH to anything but the client's own request topics.</summary>
    public const string PublishTopic = "publish_topic";
    /// <summary>SUBSCRIBE outside the client's own subtree.</summary>
    public const string SubscribeTopic = "subscribe_topic";
    /// <summary>A request without the response topic <c>iotid/v1/{id}/res/{op}</c>.</summary>
    public const string ResponseTopic = "response_topic";
    /// <summary>A request without correlation data, or with too much of it.</summary>
    public const string CorrelationData = "correlation_data";
    /// <summary>A request larger than the configured limit.</summary>
    public const string MessageTooLarge = "message_too_large";
    /// <summary>The device's token bucket is empty.</summary>
    public const string DeviceRate = "rate_device";
    /// <summary>The source address's token bucket is empty.</summary>
    public const string AddressRate = "rate_address";
    /// <summary>The client already has the maximum number of requests queued.</summary>
    public const string TooManyPending = "too_many_pending";
    /// <summary>CONNECT with a client certificate that does not verify (issuer, validity, revocation, device id).</summary>
    public const string Certificate = MqttConnectRefusals.Certificate;
    /// <summary>CONNECT whose client id is not the device id of its verified certificate.</summary>
    public const string CertificateClientId = MqttConnectRefusals.CertificateClientId;
    /// <summary>CONNECT without a certificate for a device that holds an authenticated session.</summary>
    public const string SessionHeld = "session_held";
    /// <summary>A second authenticated CONNECT of a device that holds one (also counted as a clone signal).</summary>
    public const string SecondSession = "second_session";
    /// <summary>CONNECT from an address (IPv6: a /64) that holds the maximum number of connections.</summary>
    public const string AddressConnections = "connections_address";
    /// <summary>A connection beyond <see cref="MqttEndpointOptions.MaxConnections"/>: closed as soon as it is accepted.</summary>
    public const string TotalConnections = "connections_total";
    /// <summary>A packet declaring a length over <see cref="MqttEndpointOptions.MaxPacketBytes"/> (the connection is closed before it is read).</summary>
    public const string PacketTooLarge = "packet_too_large";
    /// <summary>A TLS handshake that did not finish within <see cref="MqttEndpointOptions.ConnectTimeout"/>.</summary>
    public const string SlowHandshake = "slow_handshake";
}
