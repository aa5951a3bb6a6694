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

    /// <summary>
    /// The target's API with a key of the fleet's tenant and with the service administrator's, for a scenario that
    /// creates a tenant; a target without either stops the scenario, before anything changes, saying which it needs.
    /// </summary>
    /// <param name="target">The target.</param>
    /// <param name="scenario">The scenario's name, for the message.</param>
    /// <param name="cancellationToken">Stops the look-up.</param>
    public static async Task<(ServiceApi Tenant, ServiceApi Admin)> ForTenantCreationAsync(IServiceTarget target, string scenario, CancellationToken cancellationToken)
    {
        var tenant = await target.GetApiAsync(cancellationToken)
            ?? throw new ArgumentException($"the {scenario} scenario needs the HTTP API with an owner-admin key of the fleet's tenant, which this target does not give");
        var admin = await target.GetAdminApiAsync(cancellationToken)
            ?? throw new ArgumentException($"the {scenario} scenario creates a second tenant and needs the service administrator key: pass --admin-key iotid-admin.… " +
                "(printed by the service on its first start, or the key whose hash is Provisioning:ServiceAdminKeyHash)");
        return (tenant, admin);
    }
}
