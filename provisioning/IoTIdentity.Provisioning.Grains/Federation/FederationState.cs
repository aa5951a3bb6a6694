using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Federation;

namespace IoTIdentity.Provisioning.Grains.Federation;

/// <summary>The durable state of a tenant's federation relationships.</summary>
[GenerateSerializer, Immutable]
public sealed record FederationState
{
    [Id(0)] public ImmutableList<FederationRelationship> Relationships { get; init; } = [];
}
