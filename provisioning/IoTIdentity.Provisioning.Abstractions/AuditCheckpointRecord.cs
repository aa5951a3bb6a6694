namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A signed checkpoint of a tenant's audit log (the protocol's <c>AuditCheckpoint</c>, as grains keep it).</summary>
[GenerateSerializer, Immutable]
public sealed record AuditCheckpointRecord(
    [property: Id(0)] string TenantId,
    [property: Id(1)] long Size,
    [property: Id(2)] string HeadHash,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string KeyId,
    [property: Id(5)] string Signature);
