namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A new API key: the whole key string, shown once.</summary>
[GenerateSerializer, Immutable]
public sealed record CreatedApiKey([property: Id(0)] string KeyId, [property: Id(1)] string Key, [property: Id(2)] ApiRole Role);
