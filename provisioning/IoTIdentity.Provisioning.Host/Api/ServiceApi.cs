using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.WebConsole;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>The whole HTTP surface: CRLs, audit, health, metrics, OpenAPI, the resource APIs and the console.</summary>
public static class ServiceApi
{
    /// <summary>Maps every endpoint.</summary>
    public static WebApplication MapProvisioningApi(this WebApplication app)
    {
        if (ProductionRequirements.ModeOf(app.Configuration) == ServiceMode.Production) app.UseHsts();
        app.UseStorageFaultMapping();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", Health).WithTags("Service");
        app.MapGet("/crl/{tenantId}.crl", Crl).WithTags("Service");
        app.MapEnrollmentsApi();
        app.MapOwnershipVouchersApi();
        app.MapDevicesApi();
        app.MapCertificatesApi();
        app.MapTenantsApi();
        app.MapTransfersApi();
        app.MapOwnershipApi();
        app.MapTokensApi();
        app.MapDeviceTokenApi();
        app.MapFederationApi();
        app.MapAuditApi();
        app.MapFindingsApi();
        app.MapReportsApi();
        app.MapMonitoringApi();
        app.MapWebhooksApi();
        app.MapKeyEncryptionApi();
        app.MapCallerApi();
        app.MapFleetConsole(ConsoleAssets.EndpointsManifest);
        return app;
    }

    /// <summary>200 while devices can reach this silo; 503 while the external broker is not connected (the body says why).</summary>
    private static JsonHttpResult<ServiceHealth> Health(IDeviceChannel mqtt)
    {
        var channel = mqtt.Health;
        return TypedResults.Json(new ServiceHealth(channel.Healthy ? "ok" : "degraded", channel),
            statusCode: channel.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Crl(string tenantId, IGrainFactory grains)
    {
        if (!TenantIds.IsValid(tenantId)) return Problems.For(Protocol.ProvisioningError.NotFound);
        var crl = await grains.GetGrain<ITenantGrain>(tenantId).GetCrlAsync();
        return crl is null ? Problems.For(Protocol.ProvisioningError.NotFound) : TypedResults.File(crl, "application/pkix-crl");
    }
}
