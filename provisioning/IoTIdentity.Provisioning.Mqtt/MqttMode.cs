namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>How the service reaches devices over MQTT (<c>Mqtt:Mode</c>).</summary>
public enum MqttMode
{
    /// <summary>An MQTTnet broker inside each silo (<see cref="MqttEndpoint"/>): devices connect to the silos.</summary>
    Embedded,

    /// <summary>
    /// The silo is an MQTT 5 client of an existing broker (<see cref="ExternalBrokerClient"/>): devices connect to that
    /// broker, whose ACLs keep each to its own topics, and the silos share the request topics through a shared subscription.
    /// </summary>
    External,
}
