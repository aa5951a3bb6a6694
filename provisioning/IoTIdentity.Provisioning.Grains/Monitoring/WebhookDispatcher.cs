using System.Net;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// Sends findings to webhook endpoints off the grain: each delivery is signed (<see cref="WebhookSignature"/>) and
/// tried up to <see cref="MonitoringOptions.WebhookAttempts"/> times, waiting
/// <see cref="MonitoringOptions.WebhookFirstRetryDelay"/> and doubling, while the answer is a network failure, a
/// timeout, 408, 429 or 5xx; any other answer ends it. How it ended goes to the tenant's delivery log.
/// </summary>
public sealed class WebhookDispatcher(IGrainFactory grains, IOptions<MonitoringOptions> options, MonitoringMetrics metrics, TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = options.Value.WebhookTimeout,
    };

    /// <summary>Queues the delivery of <paramref name="payload"/> to <paramref name="endpoint"/>; returns at once.</summary>
    public void Enqueue(string tenantId, WebhookEndpoint endpoint, WebhookPayload payload)
    {
        var deliveryId = Guid.NewGuid().ToString("N");
        _ = Task.Run(() => DeliverAsync(tenantId, endpoint, payload, deliveryId));
    }

    private async Task DeliverAsync(string tenantId, WebhookEndpoint endpoint, WebhookPayload payload, string deliveryId)
    {
        var body = payload.ToUtf8();
        var settings = options.Value;
        var delay = settings.WebhookFirstRetryDelay;
        int attempts = 0;
        int? status = null;
        string? error = null;
        var delivered = false;
        while (attempts < Math.Max(1, settings.WebhookAttempts))
        {
            if (attempts > 0)
            {
                await Task.Delay(delay, clock);
                delay *= 2;
            }
            attempts++;
            (status, error) = await SendAsync(endpoint, body, deliveryId);
            delivered = status is >= 200 and < 300;
            if (delivered || status is { } s && !IsTransient(s)) break;
        }
        metrics.Delivered(delivered);
        MonitoringLog.Delivery(logger, endpoint.Id, deliveryId, payload.FindingId, delivered ? "delivered" : "failed", attempts);
        await grains.GetGrain<IMonitorGrain>(tenantId).RecordDeliveryAsync(new WebhookDelivery
        {
            EndpointId = endpoint.Id, FindingId = payload.FindingId, DeliveryId = deliveryId, Attempts = attempts, StatusCode = status,
            Delivered = delivered, Error = delivered ? null : error ?? $"HTTP {status}", At = clock.GetUtcNow(),
        });
    }

    private async Task<(int? Status, string? Error)> SendAsync(WebhookEndpoint endpoint, byte[] body, string deliveryId)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(endpoint.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId);
        request.Headers.Add(WebhookSignature.EventHeader, "finding.opened");
        try
        {
            using var response = await _http.SendAsync(request);
            return ((int)response.StatusCode, null);
        }
        catch (HttpRequestException e)
        {
            return (null, e.HttpRequestError.ToString());
        }
        catch (TaskCanceledException)
        {
            return (null, "timeout");
        }
    }

    private static bool IsTransient(int status) =>
        status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500;

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
