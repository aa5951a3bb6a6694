using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Transfers;

/// <summary>The durable state of a tenant's transfer index.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferIndexState
{
    [Id(0)] public ImmutableList<TransferIndexEntry> Entries { get; init; } = [];
}
