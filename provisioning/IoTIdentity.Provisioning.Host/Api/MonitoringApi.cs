using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The caller's monitoring policy (thresholds, remediation, action cap) and quarantine release.</summary>
public static class MonitoringApi
{
    /// <summary>Maps <c>/api/v1/monitoring/policy</c> and <c>/api/v1/devices/{deviceId}/release</c>.</summary>
    public static IEndpointRouteBuilder MapMonitoringApi(this IEndpointRouteBuilder routes)
    {
        var monitoring = routes.MapGroup("/api/v1/monitoring").WithTags("Monitoring");
        monitoring.MapGet("/policy", GetPolicy).RequireApiKey(ApiRole.Auditor);
        monitoring.MapPut("/policy", SetPolicy).RequireApiKey(ApiRole.OwnerAdmin);
        routes.MapPost("/api/v1/devices/{deviceId}/release", Release).WithTags("Monitoring").RequireApiKey(ApiRole.Operator);
        return routes;
    }

    private static async Task<Ok<MonitoringPolicyView>> GetPolicy(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IMonitorGrain>(Caller.Of(http).TenantId).GetPolicyAsync()).ToContract());

    private static async Task<Results<Ok<MonitoringPolicyView>, ProblemHttpResult>> SetPolicy(MonitoringPolicyView body, HttpContext http, IGrainFactory grains)
    {
        if (!MonitoringViews.TryRead(body, out var policy, out var problem)) return Problems.For(ProvisioningError.MalformedRequest, problem);
        var caller = Caller.Of(http);
        return TypedResults.Ok((await grains.GetGrain<IMonitorGrain>(caller.TenantId).SetPolicyAsync(policy, caller.Actor)).ToContract());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Release(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        return await grains.GetGrain<IDeviceGrain>(deviceId).ReleaseQuarantineAsync(caller.TenantId, caller.Actor)
            ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound, "not a quarantined device of this tenant");
    }
}
