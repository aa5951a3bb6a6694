namespace IoTIdentity.Protocol.Management;

/// <summary>A tenant's device quota (<c>PUT /api/v1/tenant/quota</c>, and part of a tenant).</summary>
/// <param name="MaxDevices">The most devices the tenant may hold; null for no limit.</param>
public sealed record TenantQuota(int? MaxDevices);
