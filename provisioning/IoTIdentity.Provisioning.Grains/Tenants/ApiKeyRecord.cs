using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>An API key as stored: only the SHA-256 of its secret part.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyRecord
{
    [Id(0)] public required string KeyId { get; init; }
    [Id(1)] public required byte[] SecretHash { get; init; }
    [Id(2)] public required ApiRole Role { get; init; }
    [Id(3)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(5)] public DateTimeOffset? LastUsedAt { get; init; }
    [Id(6)] public string? Name { get; init; }
}
