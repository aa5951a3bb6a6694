using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The body of <c>/healthz</c>.</summary>
/// <param name="Status"><c>ok</c>, or <c>degraded</c> when device traffic cannot reach this silo.</param>
/// <param name="Mqtt">The MQTT side's state.</param>
public sealed record ServiceHealth(string Status, MqttChannelHealth Mqtt);
