using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary><c>POST /api/v1/tenants</c>: a new tenant, optionally with the issuing CA its owner brings.</summary>
public sealed record CreateTenantRequest(string TenantId, string Name, TenantQuota? Quota = null, OwnerCaUpload? Ca = null);

/// <summary>A tenant's device quota (null: no limit).</summary>
public sealed record TenantQuota(int? MaxDevices);

/// <summary>
/// An issuing CA the owner brings: <see cref="CertificatePem"/> holds the issuing CA certificate followed by the root
/// that issued it; <see cref="PrivateKeyPem"/> the issuing key (PKCS#8).
/// </summary>
public sealed record OwnerCaUpload(string? CertificatePem, string? PrivateKeyPem);

/// <summary>The answer to a tenant creation: the owner-admin key is shown this once.</summary>
public sealed record CreatedTenant(string TenantId, string Name, string OwnerAdminKey, string IssuingCaCertificatePem, string RootCertificatePem);

/// <summary>A trusted manufacturer root as listed.</summary>
public sealed record ManufacturerRootView(string Thumbprint, string Subject, DateTimeOffset NotAfter);

/// <summary>A tenant as its owner (and the service administrator) sees it.</summary>
public sealed record TenantView(
    string TenantId, string Name, TenantQuota Quota, int DeviceCount, string IssuingCaCertificatePem, string RootCertificatePem,
    string? OwnershipPublicKeyPem, IReadOnlyList<ManufacturerRootView> TrustedManufacturerRoots, bool OwnCa, DateTimeOffset CreatedAt)
{
    /// <summary>From the grain's view.</summary>
    public static TenantView From(TenantInfo info) => new(
        info.TenantId, info.Name, new TenantQuota(info.MaxDevices), info.DeviceCount, Pem(info.IssuingCertificate), Pem(info.RootCertificate),
        null, info.ManufacturerRoots.Select(Describe).ToList(), info.OwnCa, info.CreatedAt);

    /// <summary>A DER certificate as PEM.</summary>
    public static string Pem(byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der));

    private static ManufacturerRootView Describe(byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        return new ManufacturerRootView(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(),
            certificate.Subject, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}

/// <summary><c>PUT /api/v1/tenant/manufacturer-roots</c>: the tenant-wide trusted TPM manufacturer roots, PEM each.</summary>
public sealed record ManufacturerRootsRequest(IReadOnlyList<string>? CertificatesPem);

/// <summary><c>POST /api/v1/api-keys</c>.</summary>
public sealed record CreateApiKeyRequest(string? Name, ApiRole? Role);
