namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A transfer in a tenant's index.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferIndexEntry([property: Id(0)] string TransferId, [property: Id(1)] bool Outgoing);
