namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>The certificate the device currently holds.</summary>
[GenerateSerializer, Immutable]
public sealed record IssuedIdentity
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required byte[] CertificateDer { get; init; }
    [Id(2)] public required byte[] SubjectPublicKeyInfo { get; init; }
    [Id(3)] public required DateTimeOffset NotBefore { get; init; }
    [Id(4)] public required DateTimeOffset NotAfter { get; init; }
    [Id(5)] public required string TenantId { get; init; }
}
