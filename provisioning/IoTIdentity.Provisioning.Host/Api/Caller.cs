using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The authenticated API caller: the tenant its key belongs to and the key's role. Every call is scoped to it.</summary>
public sealed record Caller(string TenantId, string KeyId, ApiRole Role)
{
    private const string ItemKey = "iotid.caller";

    /// <summary>The caller of the current request (set by <see cref="ApiKeyFilter"/>).</summary>
    public static Caller Of(HttpContext context) => (Caller)context.Items[ItemKey]!;

    internal void Attach(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The actor name recorded in the audit log (never the key itself).</summary>
    public string Actor => $"api-key:{KeyId}";
}
