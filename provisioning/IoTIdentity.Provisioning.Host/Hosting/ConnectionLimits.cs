using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The service's connections against its limit on open files, which every connection draws on: a process that reaches
/// the limit fails wherever it next needs a descriptor, and a flood of bare TCP connects to either listener ended the
/// service (BENCHMARKS.md, session 29). The MQTT endpoint holds at most <see cref="MqttEndpointOptions.MaxConnections"/>
/// (by default <see cref="ConnectionCapacity.DefaultShare"/> of the descriptors left when it starts); the HTTP API at
/// most Kestrel's <c>MaxConcurrentConnections</c>, by default <see cref="HttpShare"/> of them. The rest stay for the
/// runtime, the store and the cluster.
/// </summary>
public static class ConnectionLimits
{
    /// <summary>The share of the descriptors left at start that the HTTP API may hold when Kestrel's limit is not configured.</summary>
    public const double HttpShare = 0.1;

    /// <summary>Kestrel's own setting for the HTTP API's cap, which, when set, is used as given.</summary>
    public const string HttpKey = "Kestrel:Limits:MaxConcurrentConnections";

    /// <summary>
    /// Refuses caps the process cannot hold, and gives the HTTP API its default cap; nothing where the limit on open
    /// files is not known. A configured MQTT cap must be within its share (<see cref="ConnectionCapacity.Unreachable"/>);
    /// a configured HTTP cap, together with the MQTT one (configured or default), within both shares: at the limit, the
    /// process ends wherever it next needs a descriptor, whichever listener used them up.
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A cap below 1 or beyond the descriptors left.</exception>
    public static void Configure(WebApplicationBuilder builder)
    {
        var (limit, open) = (ConnectionCapacity.OpenFileLimit(), ConnectionCapacity.OpenFiles());
        var mqtt = builder.Configuration.GetValue<int?>(ConnectionCapacity.ConfigurationKey);
        if (ConnectionCapacity.Unreachable(mqtt, limit, open) is { } refusal) throw new ServiceConfigurationException(refusal);
        if (builder.Configuration.GetValue<long?>(HttpKey) is { } http)
        {
            if (Unreachable(http, ConnectionCapacity.For(mqtt, limit, open), limit, open) is { } both) throw new ServiceConfigurationException(both);
        }
        else if (HttpDefault(limit, open) is { } share)
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentConnections ??= share);
    }

    /// <summary>Why a configured HTTP cap cannot be held beside the MQTT cap <paramref name="mqtt"/>, or null when it can (or nothing is known).</summary>
    public static string? Unreachable(long http, int? mqtt, long? limit, int? open)
    {
        if (http <= 0) return $"{HttpKey} = {http}: it must be at least 1 (unset, it is {HttpShare * 100:0} % of the file descriptors left at start).";
        if (limit is not { } max || open is not { } used) return null;
        var most = (long)((max - used) * (ConnectionCapacity.DefaultShare + HttpShare));
        return http + (mqtt ?? 0) <= most ? null
            : $"{HttpKey} = {http} with {ConnectionCapacity.ConfigurationKey} = {mqtt} is more than {most}, " +
              $"{(ConnectionCapacity.DefaultShare + HttpShare) * 100:0} % of the {max - used} file descriptors this process has left (its limit on open files is {max}, {used} are open): " +
              $"a flood of connections would exhaust them and end the service. Raise the limit (systemd LimitNOFILE=, docker run --ulimit nofile=) or lower either setting.";
    }

    /// <summary><see cref="HttpShare"/> of the descriptors left (at least one), or null when the limit is not known.</summary>
    public static long? HttpDefault(long? limit, int? open) =>
        limit is { } max && open is { } used ? Math.Max(1, (long)((max - used) * HttpShare)) : null;
}
