namespace IoTIdentity.Protocol;

/// <summary>
/// The MQTT 5 user properties the service sets on a refusal (its PUBACK and its reply message), and that the agent
/// reads when the body does not say: one set of names for both sides.
/// </summary>
public static class MqttUserProperties
{
    /// <summary><c>iotid-error</c>: the <see cref="ProvisioningError"/> name of a refusal.</summary>
    public const string Error = "iotid-error";

    /// <summary><c>retry-after</c>: whole seconds to wait before asking again (invariant culture digits), when known.</summary>
    public const string RetryAfter = "retry-after";
}
