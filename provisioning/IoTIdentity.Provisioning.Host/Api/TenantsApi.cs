using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Tenants: created and listed by the service administrator (<c>/api/v1/tenants</c>), seen and tuned by their own
/// keys (<c>/api/v1/tenant</c>: quota, tenant-wide manufacturer roots).
/// </summary>
public static class TenantsApi
{
    /// <summary>Maps <c>/api/v1/tenants</c> and <c>/api/v1/tenant</c>.</summary>
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/tenants").WithTags("Service administration").RequireServiceAdmin();
        admin.MapPost("/", Create);
        admin.MapGet("/", List);
        admin.MapGet("/{tenantId}", Get);

        var own = routes.MapGroup("/api/v1/tenant").WithTags("Tenant");
        own.MapGet("/", GetOwn).RequireApiKey(ApiRole.Auditor);
        own.MapPut("/quota", PutQuota).RequireApiKey(ApiRole.OwnerAdmin);
        own.MapPut("/manufacturer-roots", PutManufacturerRoots).RequireApiKey(ApiRole.OwnerAdmin);
        routes.MapApiKeysApi();
        routes.MapTenantCaApi();
        return routes;
    }

    private static async Task<Results<Created<CreatedTenant>, ProblemHttpResult>> Create(CreateTenantRequest body, IGrainFactory grains, TenantCertificateAuthority authority,
        ConfigurationAudit audit)
    {
        if (!TenantIds.IsValid(body.TenantId)) return Problems.For(ProvisioningError.MalformedRequest, "tenantId must be [a-z0-9-], 1-64 characters");
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200) return Problems.For(ProvisioningError.MalformedRequest, "name must be 1-200 characters");
        if (body.Quota?.MaxDevices is < 0) return Problems.For(ProvisioningError.MalformedRequest, "quota.maxDevices must not be negative");
        var tenant = grains.GetGrain<ITenantGrain>(body.TenantId);
        if (await tenant.ExistsAsync()) return Problems.For(ProvisioningError.Conflict, "the tenant exists");
        TenantCaRecord? ca = null;
        if (body.Ca is { } upload)
        {
            if (ImportOwnerCa(authority, body.TenantId, upload, out var problem) is not { } imported) return problem!;
            ca = TenantCaRecord.From(imported);
        }
        if (!await tenant.CreateAsync(body.Name, ca, body.Quota?.MaxDevices)) return Problems.For(ProvisioningError.Conflict, "the tenant exists");
        var key = await tenant.CreateApiKeyAsync(ApiRole.OwnerAdmin, "owner-admin");
        await audit.RecordServiceAdminAsync(body.TenantId, AuditActions.TenantCreate, new Dictionary<string, string>
        {
            ["name"] = body.Name, ["quota"] = Quota(body.Quota?.MaxDevices), ["ca"] = ca is null ? "service" : "own", ["ownerAdminKey"] = key.KeyId,
        });
        var info = (await tenant.GetInfoAsync())!;
        return TypedResults.Created($"/api/v1/tenants/{body.TenantId}",
            new CreatedTenant(info.TenantId, info.Name, key.Key, ManagementViews.Pem(info.IssuingCertificate), ManagementViews.Pem(info.RootCertificate)));
    }

    /// <summary>
    /// The owner's upload, checked by <see cref="TenantCertificateAuthority.Import"/>: the issuing certificate first, the
    /// root that issued it second; the key PKCS#8. Every failure is a <see cref="ProvisioningError.MalformedRequest"/>
    /// problem naming the check.
    /// </summary>
    private static TenantCaMaterial? ImportOwnerCa(TenantCertificateAuthority authority, string tenantId, OwnerCaUpload upload, out ProblemHttpResult? problem)
    {
        problem = null;
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(upload.CertificatePem ?? "");
        }
        catch (CryptographicException e)
        {
            problem = Problems.For(ProvisioningError.MalformedRequest, $"ca.certificatePem: {e.Message}");
            return null;
        }
        using var _ = new CollectionDisposer(certificates);
        if (certificates.Count != 2)
        {
            problem = Problems.For(ProvisioningError.MalformedRequest,
                "ca.certificatePem must hold the issuing CA certificate followed by the root certificate that issued it");
            return null;
        }
        var pem = upload.PrivateKeyPem ?? "";
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "PRIVATE KEY")
        {
            problem = Problems.For(ProvisioningError.MalformedRequest, "ca.privateKeyPem must be a PKCS#8 \"PRIVATE KEY\" PEM block");
            return null;
        }
        var pkcs8 = Convert.FromBase64String(pem[fields.Base64Data]);
        try
        {
            return authority.Import(tenantId, certificates[1].RawData, certificates[0].RawData, pkcs8);
        }
        catch (CaImportException e)
        {
            problem = Problems.For(ProvisioningError.MalformedRequest, $"ca: {e.Failure}: {e.Message}");
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static async Task<Results<Ok<Page<TenantView>>, ProblemHttpResult>> List(IGrainFactory grains, int pageSize = 100, string? continuationToken = null)
    {
        if (!Paging.IsValidPageSize(pageSize)) return Problems.For(ProvisioningError.MalformedRequest, $"pageSize must be 1-{Paging.MaxPageSize}");
        if (!Paging.TryReadToken(continuationToken, out var after)) return Problems.For(ProvisioningError.MalformedRequest, "continuationToken is not one this API wrote");
        var ids = await grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.Key).ListAsync(after, pageSize);
        var infos = await Task.WhenAll(ids.Select(id => grains.GetGrain<ITenantGrain>(id).GetInfoAsync()));
        var page = Paging.Of(ids, pageSize, id => id);
        return TypedResults.Ok(new Page<TenantView>(infos.OfType<TenantInfo>().Select(i => i.ToContract()).ToList(), page.ContinuationToken));
    }

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> Get(string tenantId, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(tenantId)) return Problems.For(ProvisioningError.NotFound);
        var info = await grains.GetGrain<ITenantGrain>(tenantId).GetInfoAsync();
        return info is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(info.ToContract());
    }

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> GetOwn(HttpContext http, IGrainFactory grains) =>
        await Get(Caller.Of(http).TenantId, grains);

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> PutQuota(TenantQuota body, HttpContext http, IGrainFactory grains, ConfigurationAudit audit)
    {
        if (body.MaxDevices is < 0) return Problems.For(ProvisioningError.MalformedRequest, "maxDevices must not be negative");
        var caller = Caller.Of(http);
        var tenant = grains.GetGrain<ITenantGrain>(caller.TenantId);
        var before = (await tenant.GetInfoAsync())?.MaxDevices;
        await tenant.SetQuotaAsync(body.MaxDevices);
        if (before != body.MaxDevices)
            await audit.RecordAsync(caller, AuditActions.TenantQuota, caller.TenantId, new Dictionary<string, string> { ["maxDevices"] = $"{Quota(before)} → {Quota(body.MaxDevices)}" });
        return await Get(caller.TenantId, grains);
    }

    private static string Quota(int? maxDevices) => maxDevices?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    private static async Task<Results<Ok<TenantView>, ProblemHttpResult>> PutManufacturerRoots(ManufacturerRootsRequest body, HttpContext http, IGrainFactory grains,
        ConfigurationAudit audit)
    {
        var roots = ImmutableList.CreateBuilder<byte[]>();
        foreach (var (pem, index) in (body.CertificatesPem ?? []).Select((p, i) => (p, i)))
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                roots.Add(certificate.RawData);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                return Problems.For(ProvisioningError.MalformedRequest, $"certificatesPem[{index}] is not a PEM certificate");
            }
        }
        var caller = Caller.Of(http);
        var tenant = grains.GetGrain<ITenantGrain>(caller.TenantId);
        var before = (await tenant.GetManufacturerRootsAsync()).Certificates;
        var after = roots.ToImmutable();
        await tenant.SetManufacturerRootsAsync(after);
        var was = ConfigurationAudit.Fingerprints(before.OrderBy(ConfigurationAudit.Fingerprint, StringComparer.Ordinal));
        var now = ConfigurationAudit.Fingerprints(after.OrderBy(ConfigurationAudit.Fingerprint, StringComparer.Ordinal));
        if (was != now)
            await audit.RecordAsync(caller, AuditActions.TenantManufacturerRoots, caller.TenantId, new Dictionary<string, string> { ["count"] = $"{before.Count} → {after.Count}" });
        await audit.RecordRootsAsync(caller, "tenant", before, after);
        return await Get(caller.TenantId, grains);
    }

    private sealed class CollectionDisposer(X509Certificate2Collection certificates) : IDisposable
    {
        public void Dispose()
        {
            foreach (var certificate in certificates) certificate.Dispose();
        }
    }
}
