namespace IoTIdentity.Protocol.Management;

/// <summary>The answer to a tenant creation: the owner-admin key is shown this once.</summary>
/// <param name="TenantId">The tenant's id.</param>
/// <param name="Name">Its display name.</param>
/// <param name="OwnerAdminKey">The first owner-admin API key (shown once, stored hashed).</param>
/// <param name="IssuingCaCertificatePem">The tenant's issuing CA, PEM.</param>
/// <param name="RootCertificatePem">The tenant's root, PEM.</param>
public sealed record CreatedTenant(string TenantId, string Name, string OwnerAdminKey, string IssuingCaCertificatePem, string RootCertificatePem);
