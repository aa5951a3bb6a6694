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
    /// stored at its last successful fetch (by its owner or the refresh schedule), served until
    /// <see cref="BundleFetchOptions.MaxBundleAge"/> after that fetch: an anonymous reader never makes the service fetch.
    /// Computed on each request, so a removed relationship is gone from the next answer.
    /// </summary>
    private static async Task<Results<JsonHttpResult<Dictionary<string, object>>, ProblemHttpResult>> FederatedBundles(string tenantId, IGrainFactory grains,
        IOptions<ProvisioningOptions> options, IOptions<BundleFetchOptions> fetching, TimeProvider clock)
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
                var current = relationship is { Bundle: not null, BundleFetchedAt: { } fetchedAt } && clock.GetUtcNow() < BundleRefreshSchedule.ExpiresAt(fetching.Value, fetchedAt);
                domains[relationship.Name] = current
                    ? new Dictionary<string, object> { ["bundle"] = Parse(relationship.Bundle!), ["bundle_url"] = url }
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

    private static async Task<Ok<IReadOnlyList<FederationView>>> List(HttpContext http, IGrainFactory grains, IOptions<BundleFetchOptions> fetching)
    {
        IReadOnlyList<FederationView> all = (await grains.GetGrain<IFederationGrain>(Caller.Of(http).TenantId).ListAsync()).Select(r => View(r, fetching.Value)).ToList();
        return TypedResults.Ok(all);
    }

    private static async Task<Results<Ok<FederationView>, ProblemHttpResult>> Put(string name, FederationView body, HttpContext http, IGrainFactory grains, TimeProvider clock,
        BundleFetcher fetcher, BundleRefresher refresher, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http);
        if (!TenantIds.IsValid(name)) return Problems.For(ProvisioningError.MalformedRequest, "federation names are [a-z0-9-], at most 64");
        if ((body.TenantId is null) == (body.BundleUrl is null)) return Problems.For(ProvisioningError.MalformedRequest, "give exactly one of tenantId and bundleUrl");
        if (body.TenantId is { } other)
        {
            if (other == caller.TenantId) return Problems.For(ProvisioningError.MalformedRequest, "a tenant trusts itself already");
            if (!TenantIds.IsValid(other) || !await grains.GetGrain<ITenantGrain>(other).ExistsAsync()) return Problems.For(ProvisioningError.NotFound, "no such tenant");
        }
        BundleFetchResult? fetched = null;
        if (body.BundleUrl is { } url)
        {
            // fetched now, for the owner, and stored: the public bundle set serves the stored copy; the schedule takes it from here
            var (bundle, problem) = await fetcher.FetchAsync(url, cancellationToken);
            if (problem is not null) return Problems.For(ProvisioningError.MalformedRequest, $"bundleUrl refused: {problem}");
            fetched = refresher.Outcome(bundle, null, 0);
        }
        var relationship = new FederationRelationship
        {
            Name = name, TenantId = body.TenantId, BundleUrl = body.BundleUrl, CreatedAt = clock.GetUtcNow(), CreatedBy = caller.Actor,
            Bundle = fetched?.Bundle, BundleFetchedAt = fetched?.AttemptedAt, LastRefreshAttemptAt = fetched?.AttemptedAt,
            NextRefreshAt = fetched?.NextRefreshAt, RefreshHintSeconds = fetched?.RefreshHintSeconds,
        };
        await grains.GetGrain<IFederationGrain>(caller.TenantId).SetAsync(relationship, caller.Actor);
        return TypedResults.Ok(View(relationship, refresher.Options));
    }

    /// <summary>
    /// Fetches an external domain's bundle again for its owner, now; a failed fetch keeps the stored bundle, is recorded
    /// on the relationship like a scheduled one, and the answer says why.
    /// </summary>
    private static async Task<Results<Ok<FederationView>, ProblemHttpResult>> Refresh(string name, HttpContext http, IGrainFactory grains, BundleRefresher refresher,
        CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http);
        if ((await grains.GetGrain<IFederationGrain>(caller.TenantId).ListAsync()).FirstOrDefault(r => r.Name == name) is not { } relationship) return Problems.For(ProvisioningError.NotFound);
        if (relationship.BundleUrl is null) return Problems.For(ProvisioningError.MalformedRequest, "a federation with another tenant has nothing to fetch");
        var (recorded, problem) = await refresher.RefreshAsync(caller.TenantId, relationship, caller.Actor, cancellationToken);
        if (recorded is null) return Problems.For(ProvisioningError.NotFound);
        if (problem is not null) return Problems.For(ProvisioningError.MalformedRequest, $"bundleUrl refused: {problem} (the bundle fetched before is kept)");
        return TypedResults.Ok(View(recorded, refresher.Options));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        return await grains.GetGrain<IFederationGrain>(caller.TenantId).RemoveAsync(name, caller.Actor) ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    private static FederationView View(FederationRelationship r, BundleFetchOptions fetching) => new()
    {
        Name = r.Name, TenantId = r.TenantId, BundleUrl = r.BundleUrl, CreatedAt = r.CreatedAt,
        BundleFetchedAt = r.BundleFetchedAt,
        BundleExpiresAt = r.BundleFetchedAt is { } fetchedAt ? BundleRefreshSchedule.ExpiresAt(fetching, fetchedAt) : null,
        NextRefreshAt = r.BundleUrl is null ? null : r.NextRefreshAt,
        LastRefreshAttemptAt = r.LastRefreshAttemptAt,
        LastRefreshError = r.LastRefreshError,
        RefreshFailures = r.BundleUrl is null ? null : r.RefreshFailures,
    };
}
