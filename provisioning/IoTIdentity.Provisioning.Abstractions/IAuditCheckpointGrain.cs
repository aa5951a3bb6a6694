namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// The signed checkpoints of one tenant's audit log (key: the tenant id). Each checkpoint extends the previous one:
/// the grain reads only the entries appended since, checks they chain on from the last signed head, and signs the new
/// head with the checkpoint key, which is configuration, never stored.
/// </summary>
public interface IAuditCheckpointGrain : IGrainWithStringKey
{
    /// <summary>Signs the log's current head if it moved since the last checkpoint, and returns the newest checkpoint.</summary>
    Task<AuditCheckpointOutcome> CheckpointAsync();

    /// <summary>The newest checkpoint made at or before <paramref name="at"/>; null when none is kept from then.</summary>
    Task<AuditCheckpointRecord?> GetAtAsync(DateTimeOffset at);
}
