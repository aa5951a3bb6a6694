using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The caller's devices: inventory (paged), details, attestation history, disable/enable, re-attest and revoke.</summary>
public static class DevicesApi
{
    /// <summary>Maps <c>/api/v1/devices</c>.</summary>
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder routes)
    {
        var devices = routes.MapGroup("/api/v1/devices").WithTags("Devices");
        devices.MapGet("/", List).RequireApiKey(ApiRole.Auditor);
        devices.MapGet("/{deviceId}", Get).RequireApiKey(ApiRole.Auditor);
        devices.MapPut("/{deviceId}/tags", PutTags).RequireApiKey(ApiRole.Operator);
        devices.MapPost("/{deviceId}/disable", (string deviceId, HttpContext http, IGrainFactory grains) => SetDisabled(deviceId, true, http, grains)).RequireApiKey(ApiRole.Operator);
        devices.MapPost("/{deviceId}/enable", (string deviceId, HttpContext http, IGrainFactory grains) => SetDisabled(deviceId, false, http, grains)).RequireApiKey(ApiRole.Operator);
        devices.MapPost("/{deviceId}/revoke", Revoke).RequireApiKey(ApiRole.Operator);
        devices.MapPost("/{deviceId}/reattest", Reattest).RequireApiKey(ApiRole.Operator);
        devices.MapGet("/{deviceId}/attestations", Attestations).RequireApiKey(ApiRole.Auditor);
        devices.MapPost("/{deviceId}/links", Link).RequireApiKey(ApiRole.Operator);
        devices.MapDelete("/{deviceId}/links/{otherDeviceId}", Unlink).RequireApiKey(ApiRole.Operator);
        return routes;
    }

    private static async Task<Results<Ok<Page<DeviceSummary>>, ProblemHttpResult>> List(HttpContext http, IProvisioningStore store, IGrainFactory grains,
        string? state = null, string? compliant = null, string? groupId = null, string? tag = null, string? deviceIdPrefix = null,
        int pageSize = 100, string? continuationToken = null)
    {
        var caller = Caller.Of(http);
        var filter = await DeviceListFilter.ReadAsync(caller.TenantId, grains, state, compliant, groupId, tag, deviceIdPrefix);
        if (filter.Problem is { } problem) return Problems.For(ProvisioningError.MalformedRequest, problem);
        try
        {
            var page = await store.ListDevicesAsync(caller.TenantId, filter.Query with { PageSize = pageSize, ContinuationToken = continuationToken });
            return TypedResults.Ok(page.ToContract());
        }
        catch (ArgumentException e)
        {
            return Problems.For(ProvisioningError.MalformedRequest, e.Message);
        }
    }

    private static async Task<Results<Ok<DeviceDetails>, ProblemHttpResult>> PutTags(string deviceId, DeviceTagsRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        if (body?.Tags is null) return Problems.For(ProvisioningError.MalformedRequest, "the body is {\"tags\": [...]}");
        if (DeviceTags.TryNormalize(body.Tags, out var tags) is { } problem) return Problems.For(ProvisioningError.MalformedRequest, problem);
        var caller = Caller.Of(http);
        var device = grains.GetGrain<IDeviceGrain>(deviceId);
        if (!await device.SetTagsAsync(caller.TenantId, tags, caller.Actor)) return Problems.For(ProvisioningError.NotFound);
        return await Get(deviceId, http, grains);
    }

    private static async Task<Results<Ok<DeviceDetails>, ProblemHttpResult>> Get(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var view = await grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(Caller.Of(http).TenantId);
        return view is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(view.ToContract());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetDisabled(string deviceId, bool disabled, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        return await grains.GetGrain<IDeviceGrain>(deviceId).SetDisabledAsync(caller.TenantId, disabled, caller.Actor)
            ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string deviceId, HttpContext http, Revocations revocations, RevokeRequest? body = null)
    {
        if (!RevokeReasons.TryRead(body, out var reason, out var problem)) return problem;
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        return await revocations.RevokeDeviceAsync(caller.TenantId, deviceId, reason, caller.Actor)
            ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    /// <summary>
    /// Asks the device to attest again now: 202 with whether the signed command reached an open session or waits for the
    /// next one; 404 if not the caller's; 409 when the device holds no certificate it may renew (disabled, quarantined,
    /// revoked, moving to a new owner, or never enrolled), and nothing is recorded.
    /// </summary>
    private static async Task<Results<Accepted<ReattestResult>, ProblemHttpResult>> Reattest(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        var request = await grains.GetGrain<IDeviceGrain>(deviceId).RequestReattestAsync(caller.TenantId, caller.Actor);
        return request.Outcome switch
        {
            ReattestOutcome.Sent or ReattestOutcome.Pending => TypedResults.Accepted($"/api/v1/devices/{deviceId}",
                new ReattestResult(deviceId, request.Outcome == ReattestOutcome.Sent ? "sent" : "pending", request.RequestedAt!.Value)),
            ReattestOutcome.NotRenewable => Problems.For(ProvisioningError.Conflict,
                "the device holds no certificate it may renew (it is disabled, quarantined, revoked, moving to a new owner, or never enrolled)"),
            _ => Problems.For(ProvisioningError.NotFound),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<DeviceAttestation>>, ProblemHttpResult>> Attestations(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var history = await grains.GetGrain<IDeviceGrain>(deviceId).GetAttestationsAsync(Caller.Of(http).TenantId);
        return history is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok<IReadOnlyList<DeviceAttestation>>([.. history.Select(a => a.ToContract())]);
    }

    /// <summary>
    /// Links two of the caller's devices as one TPM's (its RSA and ECC EKs, say, whose certificates carry no serial that
    /// links them): both must be the caller's, else 404 naming neither; the same id twice is 400.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Link(string deviceId, DeviceLinkRequest body, HttpContext http, IGrainFactory grains)
    {
        if (body.DeviceId is not { } other || !DeviceIds.IsValid(other)) return Problems.For(ProvisioningError.MalformedRequest, "deviceId is a device id");
        if (other == deviceId) return Problems.For(ProvisioningError.MalformedRequest, "a device is not linked to itself");
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        if (await grains.GetGrain<IDeviceGrain>(other).GetAsync(caller.TenantId) is null
            || !await grains.GetGrain<IDeviceGrain>(deviceId).AddLinkAsync(caller.TenantId, other, DeviceLink.Operator, caller.Actor))
            return Problems.For(ProvisioningError.NotFound);
        await grains.GetGrain<IDeviceGrain>(other).AddLinkAsync(caller.TenantId, deviceId, DeviceLink.Operator, caller.Actor);
        return TypedResults.NoContent();
    }

    /// <summary>Removes the link between two of the caller's devices, on both; 404 when the first has no such link.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Unlink(string deviceId, string otherDeviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId) || !DeviceIds.IsValid(otherDeviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        if (!await grains.GetGrain<IDeviceGrain>(deviceId).RemoveLinkAsync(caller.TenantId, otherDeviceId, caller.Actor)) return Problems.For(ProvisioningError.NotFound);
        await grains.GetGrain<IDeviceGrain>(otherDeviceId).RemoveLinkAsync(caller.TenantId, deviceId, caller.Actor);
        return TypedResults.NoContent();
    }
}
