using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
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
        individual.MapGet("/", ListIndividual).RequireApiKey(ApiRole.Auditor);
        individual.MapPost("/import", ImportIndividual).RequireApiKey(ApiRole.Operator);
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

    private static async Task<Results<Ok<EnrollmentGroup>, ProblemHttpResult>> PutGroup(string groupId, EnrollmentGroup body, HttpContext http, IGrainFactory grains,
        IProvisioningStore store, ConfigurationAudit audit)
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
        var changes = EnrollmentPolicyChanges.Between(previous, stored);
        if (changes.Count > 0) await audit.RecordAsync(caller, previous is null ? AuditActions.GroupCreate : AuditActions.GroupUpdate, groupId, changes);
        await audit.RecordRootsAsync(caller, $"group:{groupId}", previous?.TrustedRoots ?? [], stored.TrustedRoots);
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
        await foreach (var page in StorePages.DevicesAsync(store, tenantId))
            await Task.WhenAll(page.Select(d => grains.GetGrain<IDeviceGrain>(d.DeviceId).RecheckFirmwareAsync(tenantId, policy.GroupId, allowed)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteGroup(string groupId, HttpContext http, IGrainFactory grains, ConfigurationAudit audit)
    {
        if (!TenantIds.IsValid(groupId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        var grain = grains.GetGroupGrain(new GroupKey(caller.TenantId, groupId));
        var previous = await grain.GetPolicyAsync();
        if (previous is null || !await grain.DeleteAsync()) return Problems.For(ProvisioningError.NotFound);
        await audit.RecordAsync(caller, AuditActions.GroupDelete, groupId, new Dictionary<string, string>());
        await audit.RecordRootsAsync(caller, $"group:{groupId}", previous.TrustedRoots, []);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Contract.IndividualEnrollment>, ProblemHttpResult>> GetIndividual(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var enrollment = await grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).GetAsync(Caller.Of(http).TenantId);
        return enrollment is null
            ? Problems.For(ProvisioningError.NotFound)
            : TypedResults.Ok(new Contract.IndividualEnrollment(enrollment.GroupId, enrollment.Enabled));
    }

    private static async Task<Results<Ok<Contract.IndividualEnrollment>, ProblemHttpResult>> PutIndividual(string deviceId, Contract.IndividualEnrollment body, HttpContext http,
        IndividualEnrollments enrollments) =>
        await enrollments.SetAsync(Caller.Of(http), deviceId, body.GroupId, body.Enabled, body.ClaimCodeSha256) is { } refusal
            ? Problems.For(refusal.Error, refusal.Detail)
            : TypedResults.Ok(body with { ClaimCodeSha256 = null });

    private static async Task<Results<Ok<Page<IndividualEnrollmentView>>, ProblemHttpResult>> ListIndividual(HttpContext http, IndividualEnrollments enrollments,
        int pageSize = 100, string? continuationToken = null)
    {
        if (!Paging.IsValidPageSize(pageSize)) return Problems.For(ProvisioningError.MalformedRequest, $"pageSize must be 1-{Paging.MaxPageSize}");
        if (!Paging.TryReadToken(continuationToken, out var after) || after is not null && !DeviceIds.IsValid(after))
            return Problems.For(ProvisioningError.MalformedRequest, "continuationToken is not one this API wrote");
        return TypedResults.Ok(await enrollments.ListAsync(Caller.Of(http), after, pageSize));
    }

    private static async Task<Results<Ok<IndividualEnrollmentImportReport>, ProblemHttpResult>> ImportIndividual(IndividualEnrollmentImport? body, HttpContext http,
        IndividualEnrollments enrollments)
    {
        if (body?.Rows is not { Count: > 0 } rows) return Problems.For(ProvisioningError.MalformedRequest, "rows must hold at least one enrolment");
        if (rows.Count > IndividualEnrollments.MaxImportRows)
            return Problems.For(ProvisioningError.MalformedRequest, $"at most {IndividualEnrollments.MaxImportRows} rows per import, not {rows.Count}: split the file");
        return TypedResults.Ok(await enrollments.ImportAsync(Caller.Of(http), body));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteIndividual(string deviceId, HttpContext http, IGrainFactory grains, ConfigurationAudit audit)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        if (!await grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).DeleteAsync(caller.TenantId)) return Problems.For(ProvisioningError.NotFound);
        await audit.RecordAsync(caller, AuditActions.IndividualEnrollmentDelete, deviceId, new Dictionary<string, string>());
        return TypedResults.NoContent();
    }
}
