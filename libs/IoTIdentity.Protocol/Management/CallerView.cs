namespace IoTIdentity.Protocol.Management;

/// <summary>Who an API key is (<c>GET /api/v1/caller</c>): its tenant, its id and its role — never its secret.</summary>
/// <param name="TenantId">The tenant the key belongs to.</param>
/// <param name="KeyId">The key's id.</param>
/// <param name="Role"><c>Auditor</c>, <c>Operator</c> or <c>OwnerAdmin</c>.</param>
public sealed record CallerView(string TenantId, string KeyId, string Role);
