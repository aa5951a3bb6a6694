using System.Net;
using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The caller's webhook endpoints: list (never a secret), create (a fresh 32-byte secret, shown once), delete, and
/// the delivery log.
/// </summary>
public static class WebhooksApi
{
    /// <summary>How many endpoints a tenant may have.</summary>
    public const int MaxEndpoints = 10;

    /// <summary>Maps <c>/api/v1/webhooks</c>.</summary>
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var webhooks = routes.MapGroup("/api/v1/webhooks").WithTags("Monitoring");
        webhooks.MapGet("/", List).RequireApiKey(ApiRole.Auditor);
        webhooks.MapPost("/", Create).RequireApiKey(ApiRole.OwnerAdmin);
        webhooks.MapDelete("/{webhookId}", Delete).RequireApiKey(ApiRole.OwnerAdmin);
        webhooks.MapGet("/deliveries", Deliveries).RequireApiKey(ApiRole.Auditor);
        return routes;
    }

    private static IMonitorGrain Monitor(HttpContext http, IGrainFactory grains) => grains.GetGrain<IMonitorGrain>(Caller.Of(http).TenantId);

    private static async Task<Ok<Page<WebhookView>>> List(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(new Page<WebhookView>((await Monitor(http, grains).ListWebhooksAsync()).Select(w => w.ToContract()).ToList(), null));

    private static async Task<Results<Created<CreatedWebhook>, ProblemHttpResult>> Create(CreateWebhookRequest body, HttpContext http, IGrainFactory grains,
        TimeProvider clock, RandomNumberGenerator random)
    {
        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || !IsAllowed(url))
            return Problems.For(ProvisioningError.MalformedRequest, "url must be an absolute https URL (http only to a loopback address), without credentials");
        var severity = FindingSeverity.Low;
        if (body.MinimumSeverity is not null && !EnumNames.TryRead(body.MinimumSeverity, out severity))
            return Problems.For(ProvisioningError.MalformedRequest, $"minimumSeverity must be one of: {EnumNames.List<FindingSeverity>()}");
        var monitor = Monitor(http, grains);
        if ((await monitor.ListWebhooksAsync()).Count >= MaxEndpoints)
            return Problems.For(ProvisioningError.Conflict, $"a tenant has at most {MaxEndpoints} webhook endpoints");
        var secret = new byte[32];
        random.GetBytes(secret);
        var endpoint = new WebhookEndpoint
        {
            Id = "wh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), Url = url, Secret = secret, MinimumSeverity = severity,
            CreatedAt = clock.GetUtcNow(),
        };
        await monitor.PutWebhookAsync(endpoint, Caller.Of(http).Actor);
        return TypedResults.Created($"/api/v1/webhooks/{endpoint.Id}",
            new CreatedWebhook(endpoint.Id, url.ToString(), severity.ToString(), Convert.ToBase64String(secret)));
    }

    /// <summary>https anywhere, or http to a loopback address; never user info in the URL.</summary>
    private static bool IsAllowed(Uri url) =>
        string.IsNullOrEmpty(url.UserInfo)
        && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp && (url.IsLoopback || IPAddress.TryParse(url.Host, out var ip) && IPAddress.IsLoopback(ip)));

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string webhookId, HttpContext http, IGrainFactory grains) =>
        await Monitor(http, grains).DeleteWebhookAsync(webhookId, Caller.Of(http).Actor) ? TypedResults.NoContent() : Problems.For(ProvisioningError.NotFound);

    private static async Task<Ok<Page<WebhookDeliveryView>>> Deliveries(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(new Page<WebhookDeliveryView>((await Monitor(http, grains).ListDeliveriesAsync()).Select(d => d.ToContract()).ToList(), null));
}
