using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The caller's tenant CA (<c>/api/v1/tenant/ca</c>): its root and issuing CAs, and the rotation of the issuing CA
/// (owner-admin); and, for relying parties, the CRL of each issuing CA the tenant keeps (<c>/crl/{tenant}/{serial}.crl</c>,
/// the distribution point in every device certificate; <c>/crl/{tenant}.crl</c> stays the current CA's).
/// </summary>
public static class TenantCaApi
{
    /// <summary>Maps <c>/api/v1/tenant/ca</c> and <c>/crl/{tenantId}/{issuingSerial}.crl</c>.</summary>
    public static IEndpointRouteBuilder MapTenantCaApi(this IEndpointRouteBuilder routes)
    {
        var ca = routes.MapGroup("/api/v1/tenant/ca").WithTags("Tenant");
        ca.MapGet("/", Get).RequireApiKey(ApiRole.Auditor);
        ca.MapPost("/rotate", Rotate).RequireApiKey(ApiRole.OwnerAdmin);
        routes.MapGet("/crl/{tenantId}/{issuingSerial}.crl", Crl).WithTags("Service");
        return routes;
    }

    private static async Task<Results<Ok<TenantCaView>, ProblemHttpResult>> Get(HttpContext http, IGrainFactory grains) =>
        await ViewAsync(grains.GetGrain<ITenantGrain>(Caller.Of(http).TenantId));

    private static async Task<Results<Ok<TenantCaView>, ProblemHttpResult>> Rotate(HttpContext http, IGrainFactory grains)
    {
        var caller = Caller.Of(http);
        var tenant = grains.GetGrain<ITenantGrain>(caller.TenantId);
        return await tenant.RotateIssuingCaAsync(caller.Actor) switch
        {
            null => await ViewAsync(tenant),
            ProvisioningError.Conflict => Problems.For(ProvisioningError.Conflict,
                "the tenant brought its own issuing CA: its owner holds the root key, so a new issuing CA comes with a new tenant CA upload"),
            var error => Problems.For(error.Value),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Crl(string tenantId, string issuingSerial, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(tenantId) || issuingSerial.Length is 0 or > 40 || !issuingSerial.All(char.IsAsciiHexDigitLower))
            return Problems.For(ProvisioningError.NotFound);
        var crl = await grains.GetGrain<ITenantGrain>(tenantId).GetCrlOfAsync(issuingSerial);
        return crl is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.File(crl, "application/pkix-crl");
    }

    private static async Task<Results<Ok<TenantCaView>, ProblemHttpResult>> ViewAsync(ITenantGrain tenant)
    {
        var ca = await tenant.GetCaAsync();
        if (ca is null) return Problems.For(ProvisioningError.NotFound);
        var issuing = await tenant.GetIssuingCasAsync();
        return TypedResults.Ok(new TenantCaView(ManagementViews.Pem(ca.RootCertificate), issuing.Select(View).ToList()));
    }

    private static IssuingCaView View(IssuingCaEntry entry)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(entry.Certificate);
        return new IssuingCaView(entry.SerialNumber, ManagementViews.Pem(entry.Certificate), new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            entry.RetiredAt is null ? "current" : "retired", entry.RetiredAt, entry.KeptUntil);
    }
}
