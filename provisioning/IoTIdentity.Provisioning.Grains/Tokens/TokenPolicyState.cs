using IoTIdentity.Provisioning.Abstractions.Tokens;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>The durable state of a group's token policy.</summary>
[GenerateSerializer, Immutable]
public sealed record TokenPolicyState
{
    [Id(0)] public TokenPolicy? Policy { get; init; }
}
