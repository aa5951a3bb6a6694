namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The directory's content.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupDirectory([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<GroupKey> Groups);
