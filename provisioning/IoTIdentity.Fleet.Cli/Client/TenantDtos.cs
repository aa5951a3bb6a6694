// The tenant administration and self-service shapes of the management API contract (issue 5), one record each.
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>A tenant's limits.</summary>
/// <param name="MaxDevices">The most devices the tenant may hold; null for no limit.</param>
public sealed record TenantQuota(int? MaxDevices);

/// <summary>An issuing CA the owner brings: its certificate (chain allowed) and PKCS#8 private key, PEM.</summary>
/// <param name="CertificatePem">The issuing CA certificate, optionally followed by its chain.</param>
/// <param name="PrivateKeyPem">The issuing CA's private key, PKCS#8 PEM.</param>
public sealed record TenantCaRequest(string CertificatePem, string PrivateKeyPem);

/// <summary><c>POST /api/v1/tenants</c> (service admin).</summary>
/// <param name="TenantId">The new tenant's id.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Quota">Its limits, if any.</param>
/// <param name="Ca">A CA the owner brings; null for a generated root and issuing CA.</param>
public sealed record CreateTenantRequest(string TenantId, string Name, TenantQuota? Quota, TenantCaRequest? Ca);

/// <summary>The answer to creating a tenant: its owner-admin key is shown this once.</summary>
/// <param name="TenantId">The tenant's id.</param>
/// <param name="Name">Its display name.</param>
/// <param name="OwnerAdminKey">The first owner-admin API key (shown once).</param>
/// <param name="IssuingCaCertificatePem">The tenant's issuing CA, PEM.</param>
/// <param name="RootCertificatePem">The tenant's root, PEM.</param>
public sealed record CreatedTenant(string TenantId, string Name, string OwnerAdminKey, string? IssuingCaCertificatePem, string? RootCertificatePem);

/// <summary>A trusted TPM manufacturer root as the tenant view lists it.</summary>
/// <param name="Thumbprint">The certificate's thumbprint.</param>
/// <param name="Subject">Its subject name.</param>
/// <param name="NotAfter">When it expires.</param>
public sealed record ManufacturerRoot(string Thumbprint, string Subject, DateTimeOffset NotAfter);

/// <summary>A tenant: <c>GET /api/v1/tenant</c> (self) or <c>GET /api/v1/tenants/{id}</c> (service admin).</summary>
public sealed record TenantView
{
    /// <summary>The tenant's id.</summary>
    public required string TenantId { get; init; }

    /// <summary>Its display name.</summary>
    public string? Name { get; init; }

    /// <summary>Its limits.</summary>
    public TenantQuota? Quota { get; init; }

    /// <summary>How many devices it holds.</summary>
    public int? DeviceCount { get; init; }

    /// <summary>Its issuing CA, PEM.</summary>
    public string? IssuingCaCertificatePem { get; init; }

    /// <summary>Its root, PEM.</summary>
    public string? RootCertificatePem { get; init; }

    /// <summary>The public key that signs its ownership record entries, PEM.</summary>
    public string? OwnershipPublicKeyPem { get; init; }

    /// <summary>Tenant-wide trusted TPM manufacturer roots.</summary>
    public IReadOnlyList<ManufacturerRoot>? TrustedManufacturerRoots { get; init; }
}

/// <summary><c>PUT /api/v1/tenant/manufacturer-roots</c>.</summary>
/// <param name="CertificatesPem">The roots, one PEM certificate each.</param>
public sealed record SetManufacturerRootsRequest(IReadOnlyList<string> CertificatesPem);
