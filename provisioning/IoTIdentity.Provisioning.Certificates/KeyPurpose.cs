namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// The associated-data labels that bind a <see cref="ProtectedKey"/> to what it is for, so that an envelope copied
/// to another tenant, or the root key stored where the issuing key belongs, fails to open.
/// </summary>
public static class KeyPurpose
{
    /// <summary>The purpose of a tenant's root CA key: <c>tenant:{tenantId}:root-ca</c>.</summary>
    /// <param name="tenantId">The owning tenant.</param>
    public static string TenantRootCa(string tenantId) => $"tenant:{TenantIds.Validate(tenantId)}:root-ca";

    /// <summary>The purpose of a tenant's issuing CA key: <c>tenant:{tenantId}:issuing-ca</c>.</summary>
    /// <param name="tenantId">The owning tenant.</param>
    public static string TenantIssuingCa(string tenantId) => $"tenant:{TenantIds.Validate(tenantId)}:issuing-ca";

    /// <summary>The purpose of a tenant's ownership signing key: <c>tenant:{tenantId}:ownership</c>.</summary>
    /// <param name="tenantId">The owning tenant.</param>
    public static string TenantOwnership(string tenantId) => $"tenant:{TenantIds.Validate(tenantId)}:ownership";

    /// <summary>The purpose of a tenant's token signing key: <c>tenant:{tenantId}:token-signing</c>.</summary>
    /// <param name="tenantId">The owning tenant.</param>
    public static string TenantTokenSigning(string tenantId) => $"tenant:{TenantIds.Validate(tenantId)}:token-signing";
}
