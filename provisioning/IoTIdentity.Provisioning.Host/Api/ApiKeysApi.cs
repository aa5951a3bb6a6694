using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The caller's tenant's API keys (owner-admin only): list (never a secret), create (the key shown once), revoke.</summary>
public static class ApiKeysApi
{
    /// <summary>Maps <c>/api/v1/api-keys</c>.</summary>
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/api-keys").WithTags("API keys");
        keys.MapGet("/", List).RequireApiKey(ApiRole.OwnerAdmin);
        keys.MapPost("/", Create).RequireApiKey(ApiRole.OwnerAdmin);
        keys.MapDelete("/{keyId}", Revoke).RequireApiKey(ApiRole.OwnerAdmin);
        return routes;
    }

    private static async Task<Results<Ok<Page<Contract.ApiKeyView>>, ProblemHttpResult>> List(HttpContext http, IGrainFactory grains, int pageSize = 100, string? continuationToken = null)
    {
        if (!Paging.IsValidPageSize(pageSize)) return Problems.For(ProvisioningError.MalformedRequest, $"pageSize must be 1-{Paging.MaxPageSize}");
        if (!Paging.TryReadToken(continuationToken, out var after)) return Problems.For(ProvisioningError.MalformedRequest, "continuationToken is not one this API wrote");
        var all = await grains.GetGrain<ITenantGrain>(Caller.Of(http).TenantId).ListApiKeysAsync();
        var page = all.OrderBy(k => k.KeyId, StringComparer.Ordinal)
            .SkipWhile(k => after is not null && string.CompareOrdinal(k.KeyId, after) <= 0).Take(pageSize).ToList();
        return TypedResults.Ok(Paging.Of(page.Select(k => k.ToContract()).ToList(), pageSize, k => k.KeyId));
    }

    private static async Task<Results<Created<Contract.CreatedApiKey>, ProblemHttpResult>> Create(CreateApiKeyRequest body, HttpContext http, IGrainFactory grains,
        ConfigurationAudit audit)
    {
        if (!TryReadRole(body.Role, out var role)) return Problems.For(ProvisioningError.MalformedRequest, "role must be Auditor, Operator or OwnerAdmin");
        if (body.Name is { Length: > 100 }) return Problems.For(ProvisioningError.MalformedRequest, "name must be at most 100 characters");
        var caller = Caller.Of(http);
        var created = await grains.GetGrain<ITenantGrain>(caller.TenantId).CreateApiKeyAsync(role, body.Name);
        await audit.RecordAsync(caller, AuditActions.ApiKeyCreate, created.KeyId,
            new Dictionary<string, string> { ["keyRole"] = role.ToString(), ["name"] = body.Name ?? "" });
        return TypedResults.Created($"/api/v1/api-keys/{created.KeyId}", created.ToContract());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string keyId, HttpContext http, IGrainFactory grains, ConfigurationAudit audit)
    {
        var caller = Caller.Of(http);
        if (keyId.Length is 0 or > 32 || !await grains.GetGrain<ITenantGrain>(caller.TenantId).RevokeApiKeyAsync(keyId)) return Problems.For(ProvisioningError.NotFound);
        await audit.RecordAsync(caller, AuditActions.ApiKeyRevoke, keyId, new Dictionary<string, string>());
        return TypedResults.NoContent();
    }

    /// <summary>A role name as the API takes it: <see cref="ApiRole"/>'s names, in any case, or their numbers.</summary>
    private static bool TryReadRole(string? name, out ApiRole role)
    {
        role = default;
        return name is not null && Enum.TryParse(name, ignoreCase: true, out role) && Enum.IsDefined(role);
    }
}
