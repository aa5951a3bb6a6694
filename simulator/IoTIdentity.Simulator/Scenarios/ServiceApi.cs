using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>A target's HTTP management API and a key to call it with: one of the fleet's tenant, or the service administrator's.</summary>
/// <param name="BaseAddress">The API's base address, e.g. <c>http://host:8080</c>.</param>
/// <param name="ApiKey">The key (<c>iotid.{tenant}.{id}.{secret}</c> or <c>iotid-admin.{secret}</c>), sent as a bearer token.</param>
public sealed record ServiceApi(Uri BaseAddress, string ApiKey)
{
    /// <summary>A client that sends the key with every request; the caller disposes it.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        return http;
    }

    /// <summary>The management API's typed client (the one the <c>iotid</c> CLI uses) with the key; the caller disposes it.</summary>
    public IotIdClient CreateIotIdClient() => new(BaseAddress, ApiKey, timeout: TimeSpan.FromSeconds(30));
}
