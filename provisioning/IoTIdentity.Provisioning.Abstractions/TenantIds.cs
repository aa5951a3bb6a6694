namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>Tenant and group ids: <c>[a-z0-9-]</c>, 1..64 characters.</summary>
public static class TenantIds
{
    /// <summary>Whether <paramref name="id"/> is a valid tenant or group id.</summary>
    public static bool IsValid(string? id) => Protocol.Topics.IsValidDeviceId(id);
}
