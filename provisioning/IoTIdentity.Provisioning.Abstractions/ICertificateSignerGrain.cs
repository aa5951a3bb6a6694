namespace IoTIdentity.Provisioning.Abstractions;

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
