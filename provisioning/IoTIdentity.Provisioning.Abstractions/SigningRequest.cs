namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>What to certify.</summary>
[GenerateSerializer, Immutable]
public sealed record SigningRequest
{
    [Id(0)] public required byte[] SubjectPublicKeyInfo { get; init; }
    [Id(1)] public required string DeviceId { get; init; }
    [Id(2)] public required byte[] EkPublic { get; init; }
    [Id(3)] public required TimeSpan Lifetime { get; init; }
}
