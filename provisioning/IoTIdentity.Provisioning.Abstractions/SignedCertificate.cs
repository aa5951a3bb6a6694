namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>An issued certificate and the chain to give the device.</summary>
[GenerateSerializer, Immutable]
public sealed record SignedCertificate
{
    [Id(0)] public required byte[] CertificateDer { get; init; }
    [Id(1)] public required byte[] IssuingCaDer { get; init; }
    [Id(2)] public required string SerialNumber { get; init; }
    [Id(3)] public required DateTimeOffset NotBefore { get; init; }
    [Id(4)] public required DateTimeOffset NotAfter { get; init; }
}
