namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// The broker the service attaches to in <see cref="MqttMode.External"/> mode (configuration section
/// <c>Mqtt:External</c>). The request limits (size, rates, handler timeout, concurrency) are
/// <see cref="MqttEndpointOptions"/>' and apply in both modes.
/// </summary>
public sealed class ExternalBrokerOptions
{
    /// <summary>The broker's host name or address (also the name its TLS certificate must carry). Required.</summary>
    public string? Host { get; set; }

    /// <summary>The broker's port; 0 means 8883 with TLS, 1883 without.</summary>
    public int Port { get; set; }

    /// <summary>Whether to connect over TLS (default). Plaintext only for a broker on loopback or a private network in
    /// development: a production start of the service refuses it.</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>
    /// A PEM file of the certificates the broker's chain must end in (e.g. a private CA's root). Null: the operating
    /// system's trust store decides.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>The service's user name at the broker (the ACL gives this user the request topics).</summary>
    public string? Username { get; set; }

    /// <summary>The service's password at the broker.</summary>
    public string? Password { get; set; }

    /// <summary>The MQTT client id; null means <c>iotid-service-{machine}-{pid}</c>. Must differ per silo.</summary>
    public string? ClientId { get; set; }

    /// <summary>The shared-subscription group all silos join: requests are spread over the group's members.</summary>
    public string SharedGroup { get; set; } = "iotid";

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>MQTT keep-alive: how soon a dead connection is noticed.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The first reconnection delay; it doubles (with jitter) after each failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest reconnection delay.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}
