using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Microsoft.AspNetCore.Http.HttpResults;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Ownership vouchers (docs/trust-model.md): a tenant proves that a device is its own with a voucher its manufacturer
/// signed (<see cref="OwnershipVouchers"/>), checked against the roots the tenant trusts (tenant-wide and its groups').
/// </summary>
public static class OwnershipVouchersApi
{
    /// <summary>Why a voucher for a device that is not free to claim is refused: the same words whichever the cause, naming no tenant.</summary>
    private static readonly Refusal Claimed = new(ProvisioningError.Conflict, "the device is another tenant's, or another tenant holds its voucher");

    /// <summary>Maps <c>/api/v1/ownership-vouchers</c> and <c>/api/v1/ownership-vouchers/{deviceId}</c>.</summary>
    public static IEndpointRouteBuilder MapOwnershipVouchersApi(this IEndpointRouteBuilder routes)
    {
        var vouchers = routes.MapGroup("/api/v1/ownership-vouchers").WithTags("Enrollments");
        vouchers.MapGet("/", List).RequireApiKey(ApiRole.Auditor);
        vouchers.MapPut("/{deviceId}", Put).RequireApiKey(ApiRole.Operator);
        vouchers.MapDelete("/{deviceId}", Delete).RequireApiKey(ApiRole.Operator);
        return routes;
    }

    /// <summary>
    /// Verifies the voucher for the caller's tenant and records the claim: 204; a voucher that fails a check is 400 naming
    /// the <see cref="VoucherFailure"/>; a device another tenant owns or holds a voucher for is 409, naming neither.
    /// Acceptance and the 409 are audited in the caller's log (the 409 with the reason it was told, naming no tenant).
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Put(string deviceId, Contract.OwnershipVoucher body, HttpContext http,
        IGrainFactory grains, TimeProvider clock, ConfigurationAudit audit)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.MalformedRequest, "the path names no device id");
        var caller = Caller.Of(http);
        var tenant = grains.GetGrain<ITenantGrain>(caller.TenantId);
        if (await tenant.GetOwnershipKeyAsync() is not { } ownerKey) return Problems.For(ProvisioningError.NotFound);
        var failure = OwnershipVouchers.Verify(body, deviceId, ownerKey.PublicKey, await TrustedRootsAsync(caller.TenantId, grains), clock.GetUtcNow());
        if (failure != VoucherFailure.None) return Problems.For(ProvisioningError.MalformedRequest, $"voucher refused: {failure}");
        if (await grains.GetGrain<IDeviceGrain>(deviceId).IsOwnedByAnotherTenantAsync(caller.TenantId)
            || !await grains.GetGrain<IOwnershipVoucherGrain>(deviceId).SetAsync(caller.TenantId))
        {
            await audit.RecordRefusedAsync(caller, AuditActions.OwnershipVoucherSet, deviceId, Claimed);
            return Problems.For(ProvisioningError.Conflict, Claimed.Detail);
        }
        await audit.RecordAsync(caller, AuditActions.OwnershipVoucherSet, deviceId, new Dictionary<string, string>());
        return TypedResults.NoContent();
    }

    /// <summary>One page of the caller's accepted vouchers, in device id order.</summary>
    private static async Task<Results<Ok<Contract.Page<Contract.OwnershipVoucherView>>, ProblemHttpResult>> List(HttpContext http, IGrainFactory grains,
        int pageSize = 100, string? continuationToken = null)
    {
        if (!Paging.IsValidPageSize(pageSize)) return Problems.For(ProvisioningError.MalformedRequest, $"pageSize must be 1-{Paging.MaxPageSize}");
        if (!Paging.TryReadToken(continuationToken, out var after) || after is not null && !DeviceIds.IsValid(after))
            return Problems.For(ProvisioningError.MalformedRequest, "continuationToken is not one this API wrote");
        var tenantId = Caller.Of(http).TenantId;
        return TypedResults.Ok(await DeviceIdShards.PageAsync(digit => OwnershipVoucherIndex.Shard(grains, tenantId, digit), after, pageSize, async ids =>
        {
            var accepted = await Task.WhenAll(ids.Select(id => grains.GetGrain<IOwnershipVoucherGrain>(id).GetAcceptedAtAsync(tenantId)));
            // an id whose voucher was just deleted is in the index a moment longer: not listed
            return ids.Zip(accepted).Where(v => v.Second is not null).Select(v => new Contract.OwnershipVoucherView(v.First, v.Second));
        }, v => v.DeviceId));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string deviceId, HttpContext http, IGrainFactory grains, ConfigurationAudit audit)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        if (!await grains.GetGrain<IOwnershipVoucherGrain>(deviceId).DeleteAsync(caller.TenantId)) return Problems.For(ProvisioningError.NotFound);
        await audit.RecordAsync(caller, AuditActions.OwnershipVoucherDelete, deviceId, new Dictionary<string, string>());
        return TypedResults.NoContent();
    }

    /// <summary>The manufacturer roots the tenant trusts: its tenant-wide roots and every one of its groups'.</summary>
    private static async Task<IReadOnlyList<byte[]>> TrustedRootsAsync(string tenantId, IGrainFactory grains)
    {
        var roots = new List<byte[]>((await grains.GetGrain<ITenantGrain>(tenantId).GetManufacturerRootsAsync()).Certificates);
        var directory = await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).GetAsync();
        foreach (var key in directory.Groups.Where(k => k.IsOf(tenantId)))
            if (await grains.GetGroupGrain(key).GetPolicyAsync() is { } policy) roots.AddRange(policy.TrustedRoots);
        return roots;
    }
}
