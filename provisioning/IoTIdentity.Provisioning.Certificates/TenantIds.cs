namespace IoTIdentity.Provisioning.Certificates;

/// <summary>The tenant ids this library accepts: they go into key purposes and certificate names (O=).</summary>
internal static class TenantIds
{
    /// <summary>X.520 ub-organization-name.</summary>
    public const int MaxLength = 64;

    /// <summary>Returns <paramref name="tenantId"/> when it is 1–64 characters without control characters.</summary>
    public static string Validate(string tenantId, string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(tenantId, parameterName ?? nameof(tenantId));
        if (tenantId.Length is 0 or > MaxLength || tenantId.Any(char.IsControl) || tenantId.Trim().Length != tenantId.Length)
            throw new ArgumentException(
                $"A tenant id must be 1–{MaxLength} characters, without control characters or surrounding spaces.",
                parameterName ?? nameof(tenantId));
        return tenantId;
    }
}
