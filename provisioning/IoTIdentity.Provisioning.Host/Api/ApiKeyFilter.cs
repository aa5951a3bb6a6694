using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Authenticates the API key (<c>Authorization: Bearer iotid.…</c> or <c>X-Api-Key</c>) against its tenant and
/// checks the endpoint's minimum role. A bad or missing key is 401; a too-weak role is 403. Either says what the route
/// needs (<see cref="NeedsRole"/>), so a refused caller knows which key to use.
/// </summary>
public sealed class ApiKeyFilter(ApiRole minimum) : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = PresentedKey(http);
        if (!ApiKeys.TryParse(presented, out var tenantId, out var keyId, out var secret))
            return Problems.For(ProvisioningError.Unauthenticated, presented.Length == 0
                ? $"needs a tenant API key (Authorization: Bearer iotid.…) of {NeedsRole(minimum)}"
                : $"needs a tenant API key (iotid.…) of {NeedsRole(minimum)}; the key presented is not one");
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var role = await grains.GetGrain<ITenantGrain>(tenantId).AuthenticateAsync(keyId, secret);
        if (role is null) return Problems.For(ProvisioningError.Unauthenticated, "the API key is unknown or revoked");
        if (role < minimum) return Problems.For(ProvisioningError.Forbidden, $"needs {NeedsRole(minimum)}; this key has role {role}");
        new Caller(tenantId, keyId, role.Value).Attach(http);
        return await next(context);
    }

    /// <summary>What a route of <paramref name="minimum"/> role needs, in words: "role Operator or OwnerAdmin".</summary>
    public static string NeedsRole(ApiRole minimum)
    {
        var roles = Enum.GetValues<ApiRole>().Where(r => r >= minimum).Select(r => r.ToString()).ToList();
        return roles.Count == 1 ? $"role {roles[0]}" : $"role {string.Join(", ", roles[..^1])} or {roles[^1]}";
    }

    /// <summary>The key the request presents: <c>Authorization: Bearer …</c>, else <c>X-Api-Key</c>.</summary>
    internal static string PresentedKey(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : http.Request.Headers["X-Api-Key"].ToString();
    }
}

/// <summary>Endpoint conventions for API-key protected routes.</summary>
public static class ApiKeyFilterExtensions
{
    /// <summary>Requires an API key of at least <paramref name="role"/>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, ApiRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ApiKeyFilter(role));
}
