using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Enrolment groups and individual enrolments of the caller's tenant.</summary>
public static class EnrollmentsApi
{
    /// <summary>Maps <c>/api/v1/enrollment-groups</c> and <c>/api/v1/individual-enrollments</c>.</summary>
    public static IEndpointRouteBuilder MapEnrollmentsApi(this IEndpointRouteBuilder routes)
    {
        var groups = routes.MapGroup("/api/v1/enrollment-groups").WithTags("Enrollments");
        groups.MapGet("/", ListGroups).RequireApiKey(ApiRole.Auditor);
        groups.MapGet("/{groupId}", GetGroup).RequireApiKey(ApiRole.Auditor);
        groups.MapPut("/{groupId}", PutGroup).RequireApiKey(ApiRole.Operator);
        groups.MapDelete("/{groupId}", DeleteGroup).RequireApiKey(ApiRole.Operator);

        var individual = routes.MapGroup("/api/v1/individual-enrollments").WithTags("Enrollments");
        individual.MapGet("/{deviceId}", GetIndividual).RequireApiKey(ApiRole.Auditor);
        individual.MapPut("/{deviceId}", PutIndividual).RequireApiKey(ApiRole.Operator);
        individual.MapDelete("/{deviceId}", DeleteIndividual).RequireApiKey(ApiRole.Operator);
        return routes;
    }

    private static async Task<Ok<IReadOnlyList<string>>> ListGroups(HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        var directory = await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).GetAsync();
        IReadOnlyList<string> mine = directory.Groups.Where(k => k.IsOf(caller.TenantId)).Select(k => k.GroupId).ToList();
        return TypedResults.Ok(mine);
    }

    private static async Task<Results<Ok<EnrollmentGroup>, ProblemHttpResult>> GetGroup(string groupId, HttpContext http, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.NotFound);
        var grain = grains.GetGroupGrain(new GroupKey(Caller.Of(http).TenantId, groupId));
        var policy = await grain.GetPolicyAsync();
        return policy is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(policy.ToContract(await grain.GetDeviceCountAsync()));
    }

    private static async Task<Results<Ok<EnrollmentGroup>, ProblemHttpResult>> PutGroup(string groupId, EnrollmentGroup body, HttpContext http, IGrainFactory grains, IProvisioningStore store)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.MalformedRequest, "group ids are [a-z0-9-], at most 64");
        var caller = Caller.Of(http);
        if (EnrollmentGroups.ReadFirmware(body, out var firmware) is { } firmwareProblem) return Problems.For(ProvisioningError.MalformedRequest, firmwareProblem);
        EnrollmentPolicy policy;
        try
        {
            policy = body.ToPolicy(firmware, caller.TenantId, groupId);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return Problems.For(ProvisioningError.MalformedRequest, "trustedRootsPem must hold PEM certificates");
        }
        if (policy.PcrIndices.Any(i => i is < 0 or > 23) || policy.CertificateLifetime < TimeSpan.FromSeconds(10))
            return Problems.For(ProvisioningError.MalformedRequest, "PCR indices are 0..23 and lifetimes at least 10 s");
        var grain = grains.GetGroupGrain(new GroupKey(caller.TenantId, groupId));
        var previous = await grain.GetPolicyAsync();
        var stored = await grain.SetPolicyAsync(policy);
        if (previous is not null && !FirmwareReleasesEqual(previous, stored)) await RecheckFirmwareAsync(caller.TenantId, stored, grains, store);
        return TypedResults.Ok(stored.ToContract(await grain.GetDeviceCountAsync()));
    }

    private static bool FirmwareReleasesEqual(EnrollmentPolicy a, EnrollmentPolicy b) =>
        a.AllowedFirmware.Select(r => $"{r.Product} {r.Version}").Order(StringComparer.Ordinal)
            .SequenceEqual(b.AllowedFirmware.Select(r => $"{r.Product} {r.Version}").Order(StringComparer.Ordinal));

    /// <summary>
    /// The group's allowed firmware changed: every device of the tenant re-checks the release it last proved, so the
    /// inventory's compliance follows the policy at once rather than at each device's next attestation. One page of the
    /// inventory at a time; a tenant of many devices makes this request slow (a background sweep is the next step).
    /// </summary>
    private static async Task RecheckFirmwareAsync(string tenantId, EnrollmentPolicy policy, IGrainFactory grains, IProvisioningStore store)
    {
        var allowed = policy.AllowedFirmware.Select(r => $"{r.Product} {r.Version}").ToList();
        string? token = null;
        do
        {
            var page = await store.ListDevicesAsync(tenantId, new DeviceQuery { PageSize = StoreLimits.MaxPageSize, ContinuationToken = token });
            await Task.WhenAll(page.Items
                .Select(d => grains.GetGrain<IDeviceGrain>(d.DeviceId).RecheckFirmwareAsync(tenantId, policy.GroupId, allowed)));
            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteGroup(string groupId, HttpContext http, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.NotFound);
        var deleted = await grains.GetGroupGrain(new GroupKey(Caller.Of(http).TenantId, groupId)).DeleteAsync();
        return deleted ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    private static async Task<Results<Ok<Contract.IndividualEnrollment>, ProblemHttpResult>> GetIndividual(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var enrollment = await grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).GetAsync();
        return enrollment is null || enrollment.TenantId != Caller.Of(http).TenantId
            ? Problems.For(ProvisioningError.NotFound)
            : TypedResults.Ok(new Contract.IndividualEnrollment(enrollment.GroupId, enrollment.Enabled));
    }

    private static async Task<Results<Ok<Contract.IndividualEnrollment>, ProblemHttpResult>> PutIndividual(string deviceId, Contract.IndividualEnrollment body, HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        if (!DeviceIds.IsValid(deviceId) || !TenantIds.IsValid(body.GroupId)) return Problems.For(ProvisioningError.MalformedRequest);
        byte[]? claimCodeHash = null;
        if (body.ClaimCodeSha256 is { } hex)
        {
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit)) return Problems.For(ProvisioningError.MalformedRequest, "claimCodeSha256 is 64 hex digits");
            claimCodeHash = Convert.FromHexString(hex);
        }
        if (await grains.GetGroupGrain(new GroupKey(caller.TenantId, body.GroupId)).GetPolicyAsync() is null)
            return Problems.For(ProvisioningError.NotFound, "no such group");
        var grain = grains.GetGrain<IIndividualEnrollmentGrain>(deviceId);
        var existing = await grain.GetAsync();
        // another tenant's device, or another tenant's enrolment of it: one answer for both, naming neither, changing nothing
        if (existing is not null && existing.TenantId != caller.TenantId || await grains.GetGrain<IDeviceGrain>(deviceId).IsOwnedByAnotherTenantAsync(caller.TenantId))
            return Problems.For(ProvisioningError.Conflict);
        await grain.SetAsync(caller.TenantId, body.GroupId, body.Enabled, claimCodeHash);
        return TypedResults.Ok(body with { ClaimCodeSha256 = null });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteIndividual(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        return await grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).DeleteAsync(Caller.Of(http).TenantId)
            ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }
}
