using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The detection phase's webhook receiver: a loopback HTTP endpoint the fleet tenant's findings are sent to while the
/// phase runs, registered through the API and removed afterwards. Each delivery is checked as a receiver would check
/// it — the HMAC over the timestamp and the body with the secret the API gave, a timestamp no older than five minutes —
/// and kept by finding id. Only a service on this machine can reach it, so the phase uses it for a loopback target only.
/// </summary>
public sealed class FindingWebhooks : IAsyncDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _verdicts = new(StringComparer.Ordinal);
    private IotIdClient? _api;
    private string? _webhookId;
    private byte[] _secret = [];

    private FindingWebhooks(WebApplication app) => _app = app;

    /// <summary>Starts the receiver and registers it as a webhook of the tenant behind <paramref name="api"/>.</summary>
    public static async Task<FindingWebhooks> StartAsync(IotIdClient api, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new FindingWebhooks(builder.Build());
        receiver._app.MapPost("/findings", (Delegate)receiver.ReceiveAsync);
        await receiver._app.StartAsync(cancellationToken);
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var created = (await api.CreateWebhookAsync(new CreateWebhookRequest(new Uri(new Uri(address), "/findings").ToString()), cancellationToken)).Value;
        (receiver._api, receiver._webhookId, receiver._secret) = (api, created.Id, Convert.FromBase64String(created.Secret));
        return receiver;
    }

    /// <summary>What the receiver made of the delivery of <paramref name="findingId"/> (<c>signed</c>, or why not), or <c>none</c> after <paramref name="wait"/>.</summary>
    public async Task<string> VerdictAsync(string findingId, TimeSpan wait)
    {
        var verdict = _verdicts.GetOrAdd(findingId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        return await Task.WhenAny(verdict, Task.Delay(wait)) == verdict ? await verdict : "none";
    }

    private async Task<IResult> ReceiveAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        string verdict;
        string? findingId = null;
        if (!long.TryParse(http.Request.Headers[WebhookSignature.TimestampHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
            verdict = "no timestamp";
        else if (!WebhookSignature.Verify(_secret, timestamp, body, http.Request.Headers[WebhookSignature.SignatureHeader].ToString()))
            verdict = "bad signature";
        else if (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(timestamp) is var age && (age > MaxAge || age < -MaxAge))
            verdict = "stale timestamp";
        else
            verdict = "signed";
        try
        {
            using var payload = JsonDocument.Parse(body);
            if (payload.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("findingId", out var id) && id.ValueKind == JsonValueKind.String)
                findingId = id.GetString();
        }
        catch (JsonException)
        {
            verdict = "not JSON";
        }
        if (findingId is not null)
            _verdicts.GetOrAdd(findingId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(verdict);
        return Results.StatusCode(verdict == "signed" ? StatusCodes.Status204NoContent : StatusCodes.Status400BadRequest);
    }

    /// <summary>Removes the webhook from the tenant and stops the receiver.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_api is not null && _webhookId is not null) await _api.DeleteWebhookAsync(_webhookId);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Whether a service at <paramref name="api"/> can reach a receiver on this machine's loopback.</summary>
    public static bool Reachable(Uri api) => api.IsLoopback || IPAddress.TryParse(api.Host, out var ip) && IPAddress.IsLoopback(ip);
}
