using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A protocol reply: the JSON body and, for refusals, the reason (for MQTT reason codes and metrics).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceReplyMessage([property: Id(0)] byte[] Json, [property: Id(1)] ProvisioningError? Error);
