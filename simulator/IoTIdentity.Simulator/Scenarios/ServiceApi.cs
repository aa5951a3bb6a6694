namespace IoTIdentity.Simulator.Scenarios;

/// <summary>A target's HTTP management API and an API key of the tenant the fleet enrols into.</summary>
/// <param name="BaseAddress">The API's base address, e.g. <c>http://host:8080</c>.</param>
/// <param name="ApiKey">The key (<c>iotid.{tenant}.{id}.{secret}</c>), sent as a bearer token.</param>
public sealed record ServiceApi(Uri BaseAddress, string ApiKey)
{
    /// <summary>A client that sends the key with every request; the caller disposes it.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        return http;
    }
}
