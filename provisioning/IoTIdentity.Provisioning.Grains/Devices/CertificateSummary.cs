namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>One certificate a device was issued: what <c>GET /api/v1/certificates/{serial}</c> shows beside its revocation.</summary>
[GenerateSerializer, Immutable]
public sealed record CertificateSummary
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    [Id(2)] public required DateTimeOffset NotBefore { get; init; }
    [Id(3)] public required DateTimeOffset NotAfter { get; init; }
}
