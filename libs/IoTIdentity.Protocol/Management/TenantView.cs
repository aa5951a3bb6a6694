namespace IoTIdentity.Protocol.Management;

/// <summary>A tenant as its owner (<c>GET /api/v1/tenant</c>) and the service administrator (<c>GET /api/v1/tenants/{id}</c>) see it.</summary>
/// <param name="TenantId">The tenant's id.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Quota">Its limits.</param>
/// <param name="DeviceCount">How many devices it holds.</param>
/// <param name="IssuingCaCertificatePem">Its issuing CA, PEM.</param>
/// <param name="RootCertificatePem">Its root, PEM.</param>
/// <param name="OwnershipPublicKeyPem">The public key that signs its ownership record entries, PEM (null when not shown).</param>
/// <param name="TrustedManufacturerRoots">Tenant-wide trusted TPM manufacturer roots.</param>
/// <param name="OwnCa">Whether the owner brought the issuing CA (the service holds no root key).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="EnrollmentScope">
/// What its devices' agents name in <c>register</c> (<c>Agent:EnrollmentScope</c>, <c>--scope</c>) so that they resolve
/// only within this tenant (append <c>/{groupId}</c> for one group); null from services that predate scopes.
/// </param>
public sealed record TenantView(
    string TenantId, string Name, TenantQuota? Quota, int? DeviceCount, string? IssuingCaCertificatePem, string? RootCertificatePem,
    string? OwnershipPublicKeyPem, IReadOnlyList<ManufacturerRootView>? TrustedManufacturerRoots, bool OwnCa, DateTimeOffset CreatedAt,
    string? EnrollmentScope = null);
