using System.Net;
using System.Text;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// Answers requests with canned JSON shaped like the management API's responses and records what was
/// sent (method, path and query, body, Authorization), so a test checks both the request the CLI makes and how it
/// renders the answer. An unexpected request is answered 599 and fails the test that reads <see cref="Requests"/>.
/// </summary>
public sealed class CannedApi : HttpMessageHandler
{
    private readonly List<(HttpMethod Method, string PathAndQuery, Queue<(HttpStatusCode Status, string Body)> Answers)> _routes = [];

    public List<SentRequest> Requests { get; } = [];

    /// <summary>Answers <paramref name="method"/> <paramref name="pathAndQuery"/> with each of <paramref name="answers"/> in turn, repeating the last.</summary>
    public CannedApi On(HttpMethod method, string pathAndQuery, params (HttpStatusCode Status, string Body)[] answers)
    {
        _routes.Add((method, pathAndQuery, new Queue<(HttpStatusCode, string)>(answers)));
        return this;
    }

    public CannedApi On(HttpMethod method, string pathAndQuery, string json) => On(method, pathAndQuery, (HttpStatusCode.OK, json));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        Requests.Add(new SentRequest(request.Method, pathAndQuery, body, request.Headers.Authorization?.ToString()));
        var route = _routes.FirstOrDefault(r => r.Method == request.Method && r.PathAndQuery == pathAndQuery);
        if (route.Answers is null) return new HttpResponseMessage((HttpStatusCode)599) { Content = new StringContent($"no canned answer for {request.Method} {pathAndQuery}") };
        var (status, json) = route.Answers.Count > 1 ? route.Answers.Dequeue() : route.Answers.Peek();
        var type = (int)status >= 400 ? "application/problem+json" : "application/json";
        return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, type) };
    }
}

/// <summary>A request the CLI sent.</summary>
public sealed record SentRequest(HttpMethod Method, string PathAndQuery, string? Body, string? Authorization);
