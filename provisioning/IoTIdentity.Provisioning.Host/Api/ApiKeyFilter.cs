using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Authenticates the API key (<c>Authorization: Bearer iotid.…</c> or <c>X-Api-Key</c>) against its tenant and
/// checks the endpoint's minimum role. A bad or missing key is 401; a too-weak role is 403.
/// </summary>
public sealed class ApiKeyFilter(ApiRole minimum) : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!ApiKeys.TryParse(PresentedKey(http), out var tenantId, out var keyId, out var secret))
            return Problems.For(ProvisioningError.Unauthenticated);
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var role = await grains.GetGrain<ITenantGrain>(tenantId).AuthenticateAsync(keyId, secret);
        if (role is null) return Problems.For(ProvisioningError.Unauthenticated);
        if (role < minimum) return Problems.For(ProvisioningError.Forbidden);
        new Caller(tenantId, keyId, role.Value).Attach(http);
        return await next(context);
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
