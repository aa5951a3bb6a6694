namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A certificate as the management API shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record CertificateView
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required string DeviceId { get; init; }
    [Id(2)] public DateTimeOffset? NotBefore { get; init; }
    [Id(3)] public DateTimeOffset? NotAfter { get; init; }
    [Id(4)] public bool Revoked { get; init; }
    /// <summary>The RFC 5280 reason name (<c>keyCompromise</c>, …) when revoked.</summary>
    [Id(5)] public string? Reason { get; init; }
    [Id(6)] public DateTimeOffset? RevokedAt { get; init; }
}
