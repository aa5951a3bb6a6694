using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The calling key itself: its tenant, id and role, so a client (the console at sign-in, a CLI) can show what the
/// key may do before trying it. Any valid tenant key may ask; the secret is never echoed.
/// </summary>
public static class CallerApi
{
    /// <summary>Maps <c>GET /api/v1/caller</c>.</summary>
    public static IEndpointRouteBuilder MapCallerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/caller", Get).RequireApiKey(ApiRole.Auditor).WithTags("Tenant");
        return routes;
    }

    private static Ok<CallerView> Get(HttpContext http)
    {
        var caller = Caller.Of(http);
        return TypedResults.Ok(new CallerView(caller.TenantId, caller.KeyId, caller.Role.ToString()));
    }
}
