namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>An open challenge: single use, expires; one of a device's few <see cref="OpenChallenges"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record PendingChallenge
{
    [Id(0)] public required byte[] Nonce { get; init; }
    [Id(1)] public required byte[] Secret { get; init; }
    [Id(2)] public required byte[] AkPublic { get; init; }
    [Id(3)] public required byte[] PcrSelection { get; init; }
    [Id(4)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(5)] public required string TenantId { get; init; }
    [Id(6)] public required string GroupId { get; init; }
    [Id(7)] public required string Mode { get; init; }
    [Id(8)] public byte[]? EventLog { get; init; }
    /// <summary>Who sent the register (<see cref="Protocol.SourceAddresses"/>), null when unknown (an external broker hides it).</summary>
    [Id(9)] public string? Source { get; init; }
}
