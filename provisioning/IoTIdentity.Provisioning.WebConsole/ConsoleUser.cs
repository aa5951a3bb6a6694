using System.Security.Claims;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// Who is signed in to the console: the tenant, the API key's id and role as the API reported them at sign-in, and
/// the key itself, which stays on the server (in the data-protected, HTTP-only session cookie) and is sent only to
/// the API. The role decides which buttons a page shows; the API decides what is allowed.
/// </summary>
public sealed record ConsoleUser(string TenantId, string KeyId, string Role, string ApiKey)
{
    internal const string TenantClaim = "iotid:tenant";
    internal const string KeyIdClaim = "iotid:key-id";
    internal const string ApiKeyClaim = "iotid:api-key";

    /// <summary>Operators and owner-admins may act on devices and transfers.</summary>
    public bool CanOperate => Role is "Operator" or "OwnerAdmin";

    /// <summary>Owner-admins may change groups, quota and API keys.</summary>
    public bool IsOwnerAdmin => Role == "OwnerAdmin";

    /// <summary>The session's claims.</summary>
    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, $"{TenantId} ({KeyId})"),
        new Claim(TenantClaim, TenantId),
        new Claim(KeyIdClaim, KeyId),
        new Claim(ClaimTypes.Role, Role),
        new Claim(ApiKeyClaim, ApiKey),
    ], scheme));

    /// <summary>The user a session's claims describe; null when any is missing.</summary>
    public static ConsoleUser? From(ClaimsPrincipal principal)
    {
        var tenant = principal.FindFirstValue(TenantClaim);
        var keyId = principal.FindFirstValue(KeyIdClaim);
        var role = principal.FindFirstValue(ClaimTypes.Role);
        var key = principal.FindFirstValue(ApiKeyClaim);
        return tenant is null || keyId is null || role is null || key is null ? null : new ConsoleUser(tenant, keyId, role, key);
    }
}
