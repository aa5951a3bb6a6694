namespace IoTIdentity.Protocol.Management;

/// <summary><c>POST /api/v1/tenants</c> (service administrator): a new tenant, optionally with the issuing CA its owner brings.</summary>
/// <param name="TenantId">The new tenant's id: [a-z0-9-], 1–64 characters.</param>
/// <param name="Name">Its display name, 1–200 characters.</param>
/// <param name="Quota">Its limits, if any.</param>
/// <param name="Ca">A CA the owner brings; null for a generated root and issuing CA.</param>
public sealed record CreateTenantRequest(string TenantId, string Name, TenantQuota? Quota = null, OwnerCaUpload? Ca = null);
