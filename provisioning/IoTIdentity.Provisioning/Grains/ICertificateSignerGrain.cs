using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// Issues device certificates with a tenant's issuing CA (key = tenantId). A stateless worker: each activation
/// keeps the tenant's issuing key loaded, so issuance is not serialized per tenant.
/// </summary>
public interface ICertificateSignerGrain : IGrainWithStringKey
{
    /// <summary>Issues a certificate for the TPM-resident key described by <paramref name="request"/>.</summary>
    Task<SignedCertificate> IssueAsync(SigningRequest request);

    /// <summary>Signs a device command's canonical bytes with the issuing CA key (see <c>IssuingCa.SignDeviceCommand</c>).</summary>
    Task<byte[]> SignDeviceCommandAsync(byte[] canonicalCommand);

    /// <summary>Signs an ownership entry's signed bytes (see <c>OwnershipEntries.SignedBytes</c>) with the tenant's ownership key.</summary>
    Task<byte[]> SignOwnershipEntryAsync(byte[] signedBytes);
}

/// <summary>What to certify.</summary>
[GenerateSerializer, Immutable]
public sealed record SigningRequest
{
    [Id(0)] public required byte[] SubjectPublicKeyInfo { get; init; }
    [Id(1)] public required string DeviceId { get; init; }
    [Id(2)] public required byte[] EkPublic { get; init; }
    [Id(3)] public required TimeSpan Lifetime { get; init; }
}

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
