namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>Tenant and group ids: <c>[a-z0-9-]</c>, 1..64 characters, nothing that means anything in a key, a URL or MQTT.</summary>
public static class TenantIds
{
    /// <summary>The longest id.</summary>
    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="id"/> is a valid tenant or group id.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength) return false;
        foreach (var c in id)
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return false;
        return true;
    }
}
