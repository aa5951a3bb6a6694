namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>An API key as listed: never its secret.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyView(
    [property: Id(0)] string KeyId, [property: Id(1)] string? Name, [property: Id(2)] ApiRole Role, [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? LastUsedAt, [property: Id(5)] DateTimeOffset? RevokedAt);
