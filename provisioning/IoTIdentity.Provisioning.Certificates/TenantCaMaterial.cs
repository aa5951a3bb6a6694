namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Everything a tenant's grain persists about its certificate authority: both certificates (DER) and the private
/// keys as <see cref="ProtectedKey"/> envelopes in their text form (<see cref="ProtectedKey.Encode"/>). Nothing in it
/// is usable without the key-encryption key ring. Load it for signing with <see cref="IssuingCa.Load"/>.
/// </summary>
/// <param name="TenantId">The owning tenant; also the purpose the keys are bound to.</param>
/// <param name="RootCertificate">The tenant's root CA certificate (DER), the trust anchor devices and relying parties pin.</param>
/// <param name="IssuingCertificate">The issuing CA certificate (DER), signed by the root; it signs device certificates and CRLs.</param>
/// <param name="ProtectedRootKey">The root's private key, sealed for <see cref="KeyPurpose.TenantRootCa"/>; null when
/// the owner brought their own CA and kept the root key.</param>
/// <param name="ProtectedIssuingKey">The issuing CA's private key, sealed for <see cref="KeyPurpose.TenantIssuingCa"/>.</param>
/// <remarks>Record equality compares the certificate arrays by reference, not content.</remarks>
public sealed record TenantCaMaterial(
    string TenantId,
    byte[] RootCertificate,
    byte[] IssuingCertificate,
    string? ProtectedRootKey,
    string ProtectedIssuingKey)
{
    /// <summary>The tenant and whether a root key is held; no key material, not even encrypted.</summary>
    public override string ToString() =>
        $"TenantCaMaterial({TenantId}, root key {(ProtectedRootKey is null ? "held by the owner" : "held")})";
}
