using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The caller's findings: list (by state and kind), one, acknowledge, resolve, and an inventory sweep on demand.</summary>
public static class FindingsApi
{
    /// <summary>Maps <c>/api/v1/findings</c>.</summary>
    public static IEndpointRouteBuilder MapFindingsApi(this IEndpointRouteBuilder routes)
    {
        var findings = routes.MapGroup("/api/v1/findings").WithTags("Monitoring");
        findings.MapGet("/", List).RequireApiKey(ApiRole.Auditor);
        findings.MapGet("/{findingId}", Get).RequireApiKey(ApiRole.Auditor);
        findings.MapPost("/{findingId}/acknowledge", (string findingId, HttpContext http, IGrainFactory grains) => SetState(findingId, FindingState.Acknowledged, http, grains))
            .RequireApiKey(ApiRole.Operator);
        findings.MapPost("/{findingId}/resolve", (string findingId, HttpContext http, IGrainFactory grains) => SetState(findingId, FindingState.Resolved, http, grains))
            .RequireApiKey(ApiRole.Operator);
        findings.MapPost("/sweep", Sweep).RequireApiKey(ApiRole.Operator);
        return routes;
    }

    private static IMonitorGrain Monitor(HttpContext http, IGrainFactory grains) => grains.GetGrain<IMonitorGrain>(Caller.Of(http).TenantId);

    private static async Task<Results<Ok<Page<FindingView>>, ProblemHttpResult>> List(HttpContext http, IGrainFactory grains, string? state = null, string? kind = null)
    {
        FindingState? byState = null;
        FindingKind? byKind = null;
        if (state is not null)
        {
            if (!EnumNames.TryRead<FindingState>(state, out var s)) return Problems.For(ProvisioningError.MalformedRequest, $"state must be one of: {EnumNames.List<FindingState>()}");
            byState = s;
        }
        if (kind is not null)
        {
            if (!EnumNames.TryRead<FindingKind>(kind, out var k)) return Problems.For(ProvisioningError.MalformedRequest, $"kind must be one of: {EnumNames.List<FindingKind>()}");
            byKind = k;
        }
        var found = await Monitor(http, grains).ListFindingsAsync(byState, byKind);
        return TypedResults.Ok(new Page<FindingView>(found.Select(f => f.ToContract()).ToList(), null));
    }

    private static async Task<Results<Ok<FindingView>, ProblemHttpResult>> Get(string findingId, HttpContext http, IGrainFactory grains) =>
        await Monitor(http, grains).GetFindingAsync(findingId) is { } finding ? TypedResults.Ok(finding.ToContract()) : Problems.For(ProvisioningError.NotFound);

    private static async Task<Results<Ok<FindingView>, ProblemHttpResult>> SetState(string findingId, FindingState state, HttpContext http, IGrainFactory grains) =>
        await Monitor(http, grains).SetFindingStateAsync(findingId, state, Caller.Of(http).Actor) is { } finding
            ? TypedResults.Ok(finding.ToContract()) : Problems.For(ProvisioningError.NotFound);

    private static async Task<NoContent> Sweep(HttpContext http, IGrainFactory grains)
    {
        await Monitor(http, grains).SweepAsync();
        return TypedResults.NoContent();
    }
}
