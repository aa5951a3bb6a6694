namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>A client declared a packet longer than the endpoint accepts; its connection is closed.</summary>
internal sealed class PacketTooLargeException(long declared, int limit)
    : IOException($"MQTT packet of {declared} bytes declared; the limit is {limit}")
{
}
