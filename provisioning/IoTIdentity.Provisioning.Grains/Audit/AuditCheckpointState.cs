using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Audit;

/// <summary>The checkpoints kept for one tenant's log, oldest first (at most <see cref="AuditCheckpointGrain.Kept"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record AuditCheckpointState
{
    [Id(0)] public ImmutableList<AuditCheckpointRecord> Checkpoints { get; init; } = [];
}
