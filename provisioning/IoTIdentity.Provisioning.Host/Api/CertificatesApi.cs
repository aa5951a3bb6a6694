using System.Globalization;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Single certificates the caller's tenant issued: look one up, revoke one.</summary>
public static class CertificatesApi
{
    /// <summary>Maps <c>/api/v1/certificates</c>.</summary>
    public static IEndpointRouteBuilder MapCertificatesApi(this IEndpointRouteBuilder routes)
    {
        var certificates = routes.MapGroup("/api/v1/certificates").WithTags("Certificates");
        certificates.MapGet("/{serialNumber}", Get).RequireApiKey(ApiRole.Auditor);
        certificates.MapPost("/{serialNumber}/revoke", Revoke).RequireApiKey(ApiRole.Operator);
        return routes;
    }

    private static async Task<Results<Ok<Contract.CertificateView>, ProblemHttpResult>> Get(string serialNumber, HttpContext http, Revocations revocations)
    {
        if (Normalize(serialNumber) is not { } serial) return Problems.For(ProvisioningError.NotFound);
        var view = await revocations.GetCertificateAsync(Caller.Of(http).TenantId, serial);
        return view is null ? Problems.For(ProvisioningError.NotFound) : TypedResults.Ok(view.ToContract());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string serialNumber, HttpContext http, Revocations revocations, RevokeRequest? body = null)
    {
        if (!RevokeReasons.TryRead(body, out var reason, out var problem)) return problem;
        if (Normalize(serialNumber) is not { } serial) return Problems.For(ProvisioningError.NotFound);
        var caller = Caller.Of(http);
        return await revocations.RevokeCertificateAsync(caller.TenantId, serial, reason, caller.Actor)
            ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);
    }

    /// <summary>Serials as the service writes them (lowercase hex, at most 20 octets); null for anything else.</summary>
    private static string? Normalize(string serialNumber) =>
        serialNumber.Length is > 0 and <= 40 && serialNumber.All(char.IsAsciiHexDigit) ? serialNumber.ToLower(CultureInfo.InvariantCulture) : null;
}
