using IoTIdentity.Protocol.Messages;
using Orleans.Serialization;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// Grain calls carry the device protocol's own message records (<see cref="RegisterRequest"/>, <see cref="IssuedResponse"/>,
/// …), which know nothing of Orleans; between silos they travel as the protocol's JSON. Every silo and client registers this.
/// </summary>
public static class ProtocolSerialization
{
    /// <summary>Serializes the protocol's message records with <see cref="ProtocolJson"/>.</summary>
    public static ISerializerBuilder AddProtocolMessages(this ISerializerBuilder serializer) =>
        serializer.AddJsonSerializer(
            isSupported: type => type.Namespace == typeof(ProtocolJson).Namespace && ProtocolJson.Default.GetTypeInfo(type) is not null,
            jsonSerializerOptions: ProtocolJson.Default.Options);
}
