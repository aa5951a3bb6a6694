using System.Text.Json;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Federation;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Trust bundles and federation (see docs/federation.md): each tenant's SPIFFE bundle and its federated bundle set at
/// stable public URLs, and the tenant's federation relationships through the API.
/// </summary>
public static class FederationApi
{
    /// <summary>Maps <c>/tenants/{tenantId}/bundle.json</c>, <c>/tenants/{tenantId}/federated-bundles.json</c> and <c>/api/v1/federation</c>.</summary>
    public static IEndpointRouteBuilder MapFederationApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/tenants/{tenantId}/bundle.json", Bundle).WithTags("Federation");
        routes.MapGet("/tenants/{tenantId}/federated-bundles.json", FederatedBundles).WithTags("Federation");
        var federation = routes.MapGroup("/api/v1/federation").WithTags("Federation");
        federation.MapGet("/", List).RequireApiKey(ApiRole.Auditor);
        federation.MapPut("/{name}", Put).RequireApiKey(ApiRole.OwnerAdmin);
        federation.MapDelete("/{name}", Delete).RequireApiKey(ApiRole.OwnerAdmin);
        federation.MapPost("/{name}/refresh", Refresh).RequireApiKey(ApiRole.OwnerAdmin);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, ProblemHttpResult>> Bundle(string tenantId, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(tenantId) || await TrustBundles.ForTenantAsync(grains, tenantId) is not { } bundle) return Problems.For(ProvisioningError.NotFound);
        return TypedResults.Json(bundle);
    }

    /// <summary>
    /// The bundles a relying party of <paramref name="tenantId"/> trusts: the tenant's own and every federated trust
    /// domain's, each with its token issuer where it is a tenant of this service. An external domain's bundle is the one
    /// stored when its owner created or last refreshed the federation: an anonymous reader never makes the service fetch.
    /// </summary>
    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, ProblemHttpResult>> FederatedBundles(string tenantId, IGrainFactory grains,
        IOptions<ProvisioningOptions> options)
    {
        if (!TenantIds.IsValid(tenantId) || await TrustBundles.ForTenantAsync(grains, tenantId) is not { } own) return Problems.For(ProvisioningError.NotFound);
        var domains = new Dictionary<string, object> { [tenantId] = Domain(TokenIssuers.Issuer(options.Value.PublicBaseUrl, tenantId), own) };
        foreach (var relationship in await grains.GetGrain<IFederationGrain>(tenantId).ListAsync())
        {
            if (relationship.TenantId is { } other)
            {
                if (await TrustBundles.ForTenantAsync(grains, other) is { } bundle)
                    domains[relationship.Name] = Domain(TokenIssuers.Issuer(options.Value.PublicBaseUrl, other), bundle);
            }
            else if (relationship.BundleUrl is { } url)
            {
                domains[relationship.Name] = relationship.Bundle is { } stored
                    ? new Dictionary<string, object> { ["bundle"] = Parse(stored), ["bundle_url"] = url }
                    : new Dictionary<string, object> { ["unavailable"] = true, ["bundle_url"] = url };
            }
        }
        return TypedResults.Json(new Dictionary<string, object> { ["spiffe_refresh_hint"] = TrustBundles.RefreshHintSeconds, ["trust_domains"] = domains });
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, object> Domain(string issuer, Dictionary<string, object> bundle) => new() { ["issuer"] = issuer, ["bundle"] = bundle };

    private static async Task<Ok<IReadOnlyList<FederationView>>> List(HttpContext http, IGrainFactory grains)
    {
        IReadOnlyList<FederationView> all = (await grains.GetGrain<IFederationGrain>(Caller.Of(http).TenantId).ListAsync()).Select(View).ToList();
        return TypedResults.Ok(all);
    }

    private static async Task<Results<Ok<FederationView>, ProblemHttpResult>> Put(string name, FederationView body, HttpContext http, IGrainFactory grains, TimeProvider clock,
        BundleFetcher fetcher, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http);
        if (!TenantIds.IsValid(name)) return Problems.For(ProvisioningError.MalformedRequest, "federation names are [a-z0-9-], at most 64");
        if ((body.TenantId is null) == (body.BundleUrl is null)) return Problems.For(ProvisioningError.MalformedRequest, "give exactly one of tenantId and bundleUrl");
        if (body.TenantId is { } other)
        {
            if (other == caller.TenantId) return Problems.For(ProvisioningError.MalformedRequest, "a tenant trusts itself already");
            if (!TenantIds.IsValid(other) || !await grains.GetGrain<ITenantGrain>(other).ExistsAsync()) return Problems.For(ProvisioningError.NotFound, "no such tenant");
        }
        string? bundle = null;
        if (body.BundleUrl is { } url)
        {
            // fetched now, for the owner, and stored: the public bundle set serves the stored copy
            (bundle, var problem) = await fetcher.FetchAsync(url, cancellationToken);
            if (problem is not null) return Problems.For(ProvisioningError.MalformedRequest, $"bundleUrl refused: {problem}");
        }
        var now = clock.GetUtcNow();
        var relationship = new FederationRelationship
        {
            Name = name, TenantId = body.TenantId, BundleUrl = body.BundleUrl, CreatedAt = now, CreatedBy = caller.Actor,
            Bundle = bundle, BundleFetchedAt = bundle is null ? null : now,
        };
        await grains.GetGrain<IFederationGrain>(caller.TenantId).SetAsync(relationship, caller.Actor);
        return TypedResults.Ok(View(relationship));
    }

    /// <summary>Fetches an external domain's bundle again for its owner; a failed fetch keeps the stored bundle and says why.</summary>
    private static async Task<Results<Ok<FederationView>, ProblemHttpResult>> Refresh(string name, HttpContext http, IGrainFactory grains, TimeProvider clock,
        BundleFetcher fetcher, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http);
        var federation = grains.GetGrain<IFederationGrain>(caller.TenantId);
        if ((await federation.ListAsync()).FirstOrDefault(r => r.Name == name) is not { } relationship) return Problems.For(ProvisioningError.NotFound);
        if (relationship.BundleUrl is not { } url) return Problems.For(ProvisioningError.MalformedRequest, "a federation with another tenant has nothing to fetch");
        var (bundle, problem) = await fetcher.FetchAsync(url, cancellationToken);
        if (problem is not null) return Problems.For(ProvisioningError.MalformedRequest, $"bundleUrl refused: {problem} (the bundle fetched before is kept)");
        if (!await federation.RefreshBundleAsync(name, bundle!, clock.GetUtcNow(), caller.Actor)) return Problems.For(ProvisioningError.NotFound);
        return TypedResults.Ok(View(relationship));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        return await grains.GetGrain<IFederationGrain>(caller.TenantId).RemoveAsync(name, caller.Actor) ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    private static FederationView View(FederationRelationship r) => new() { Name = r.Name, TenantId = r.TenantId, BundleUrl = r.BundleUrl, CreatedAt = r.CreatedAt };
}
