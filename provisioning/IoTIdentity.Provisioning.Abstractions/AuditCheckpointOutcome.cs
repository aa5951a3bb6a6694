namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// What checkpointing a tenant's audit log gave: the newest checkpoint, or — when the log no longer extends the last
/// one it signed (entries up to it were changed or removed in the store) — that checkpoint and what broke.
/// </summary>
/// <param name="Checkpoint">The newest checkpoint; null only while the log has none and could not be checkpointed.</param>
/// <param name="Inconsistency">Why the log could not be checkpointed; null when it was (or had not moved).</param>
[GenerateSerializer, Immutable]
public sealed record AuditCheckpointOutcome(
    [property: Id(0)] AuditCheckpointRecord? Checkpoint,
    [property: Id(1)] string? Inconsistency);
