using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Ownership records: a device's record for its current owner, and every tenant's ownership public key (public, like
/// the CRL) for whoever verifies a record (see docs/ownership.md).
/// </summary>
public static class OwnershipApi
{
    /// <summary>Maps <c>/api/v1/devices/{deviceId}/ownership</c> and <c>/api/v1/tenants/{tenantId}/ownership-key</c>.</summary>
    public static IEndpointRouteBuilder MapOwnershipApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/devices/{deviceId}/ownership", Export).RequireApiKey(ApiRole.Auditor).WithTags("Devices");
        routes.MapGet("/api/v1/tenants/{tenantId}/ownership-key", Key).WithTags("Service");
        return routes;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Export(string deviceId, HttpContext http, IGrainFactory grains)
    {
        if (!DeviceIds.IsValid(deviceId)) return Problems.For(ProvisioningError.NotFound);
        var chain = await grains.GetGrain<IDeviceGrain>(deviceId).GetOwnershipAsync(Caller.Of(http).TenantId);
        if (chain is null) return Problems.For(ProvisioningError.NotFound);
        var document = OwnershipDocument.Parse(chain);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tenantId in document.Entries.SelectMany(e => new[] { e.OwnerTenantId, e.NextOwnerTenantId }).OfType<string>().Distinct())
            if (await grains.GetGrain<ITenantGrain>(tenantId).GetOwnershipKeyAsync() is { } key) owners[tenantId] = key.PublicKeyPem;
        return TypedResults.File((document with { Owners = owners }).ToJson(), "application/json");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Key(string tenantId, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(tenantId)) return Problems.For(ProvisioningError.NotFound);
        var key = await grains.GetGrain<ITenantGrain>(tenantId).GetOwnershipKeyAsync();
        return key is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Text(key.PublicKeyPem, "application/x-pem-file");
    }
}
