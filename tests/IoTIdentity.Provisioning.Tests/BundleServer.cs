using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// An external trust domain's bundle endpoint, for real: Kestrel on a loopback port serving a SPIFFE bundle at
/// <c>/bundle.json</c> (which a test can change or make fail) and the ways a bundle URL can misbehave (<c>/big</c>, <c>/slow</c>, <c>/redirect</c>,
/// <c>/not-json</c>, <c>/missing</c>), counting every request it gets.
/// </summary>
public sealed class BundleServer : IAsyncDisposable
{
    /// <summary>The bundle <c>/bundle.json</c> serves.</summary>
    public const string Bundle = """{"keys":[{"kty":"EC","crv":"P-256","use":"jwt-svid","kid":"external-1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}],"spiffe_refresh_hint":300}""";

    private readonly WebApplication _app;

    private BundleServer(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:{port}</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What <c>/bundle.json</c> serves from now on (<see cref="Bundle"/> until set).</summary>
    public string Serving { get; set; } = Bundle;

    /// <summary>While set, <c>/bundle.json</c> answers this status code and no bundle.</summary>
    public int? FailingWith { get; set; }

    /// <summary>The paths requested so far, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The URL of <paramref name="path"/> on this server.</summary>
    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<BundleServer> StartAsync(int bigBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new BundleServer(app);
        app.Use((http, next) =>
        {
            server.Requests.Enqueue(http.Request.Path);
            return next(http);
        });
        app.MapGet("/bundle.json", () => server.FailingWith is { } status ? Results.StatusCode(status) : Results.Text(server.Serving, "application/json"));
        app.MapGet("/big", () => Results.Text($$"""{"keys":[],"pad":"{{new string('x', bigBytes)}}"}""", "application/json"));
        app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            return Results.Text(Bundle, "application/json");
        });
        app.MapGet("/redirect", () => Results.Redirect("/bundle.json"));
        app.MapGet("/not-json", () => Results.Text("<html>no</html>", "text/html"));
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
