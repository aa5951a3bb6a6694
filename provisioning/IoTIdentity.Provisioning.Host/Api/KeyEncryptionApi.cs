using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Host.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Key-encryption-key rotation, for the service administrator: after the new key is configured as
/// <c>Provisioning:KeyEncryption:Current</c> and the old one moved to <c>Previous</c>, <c>POST /api/v1/key-encryption/rewrap</c>
/// reseals every tenant's CA and ownership keys under the new key; once it answers, the old key can leave the configuration.
/// Repeating it is harmless (nothing left to reseal).
/// </summary>
public static class KeyEncryptionApi
{
    /// <summary>Maps <c>/api/v1/key-encryption/rewrap</c>.</summary>
    public static IEndpointRouteBuilder MapKeyEncryptionApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/key-encryption").WithTags("Service administration").RequireServiceAdmin()
            .MapPost("/rewrap", Rewrap);
        return routes;
    }

    private static async Task<Ok<KeyRewrapResult>> Rewrap(IGrainFactory grains, KeyEncryptionKeyRing keyRing)
    {
        var (tenants, resealed) = (0, 0);
        await foreach (var tenant in AllTenants.ListAsync(grains))
        {
            resealed += await grains.GetGrain<ITenantGrain>(tenant).RewrapKeysAsync();
            tenants++;
        }
        return TypedResults.Ok(new KeyRewrapResult(keyRing.CurrentKeyId, tenants, resealed));
    }
}
