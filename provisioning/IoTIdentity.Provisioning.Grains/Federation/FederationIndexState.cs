using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains.Federation;

/// <summary>The durable state of the <see cref="FederationIndexGrain"/>: the tenants in ordinal order.</summary>
[GenerateSerializer, Immutable]
public sealed record FederationIndexState
{
    [Id(0)] public ImmutableList<string> Tenants { get; init; } = [];
    [Id(1)] public bool Backfilled { get; init; }
}
