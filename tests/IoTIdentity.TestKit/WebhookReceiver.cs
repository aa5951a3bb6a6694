using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.TestKit;

/// <summary>
/// A real HTTP receiver for webhooks: Kestrel on a loopback port, taking POSTs to <c>/hook</c> and keeping each
/// request's headers and body. It can be told to fail the first requests (with a status) to exercise retries.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private int _failuresLeft;
    private int _failureStatus = StatusCodes.Status503ServiceUnavailable;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Where to send: <c>http://127.0.0.1:{port}/hook</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every request received so far, in order (failed ones too).</summary>
    public ConcurrentQueue<ReceivedWebhook> All { get; } = new();

    /// <summary>Starts a receiver on a free loopback port.</summary>
    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/>.</summary>
    public void FailNext(int count, int status = StatusCodes.Status503ServiceUnavailable)
    {
        _failureStatus = status;
        Volatile.Write(ref _failuresLeft, count);
    }

    /// <summary>The next request answered with 2xx, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<ReceivedWebhook> NextDeliveredAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await _received.Reader.ReadAsync(cts.Token);
                if (next.AnsweredStatus is >= 200 and < 300) return next;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no webhook was delivered to {Url} within {timeout}");
        }
    }

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        var status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? _failureStatus : StatusCodes.Status204NoContent;
        var received = new ReceivedWebhook(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(), status);
        All.Enqueue(received);
        await _received.Writer.WriteAsync(received);
        return Results.StatusCode(status);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request the receiver took: its headers (case-insensitive), body, and the status it answered.</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredStatus)
{
    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
