using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The service's connections against its limit on open files, which every connection draws on: a process that reaches
/// the limit fails wherever it next needs a descriptor, and a flood of bare TCP connects to either listener ended the
/// service (BENCHMARKS.md, session 29). Of the descriptors left when the service starts, the MQTT endpoint holds at most
/// <see cref="MqttEndpointOptions.MaxConnections"/> (by default <see cref="ConnectionCapacity.DefaultShare"/>), the HTTP
/// API at most Kestrel's <c>MaxConcurrentConnections</c> (by default <see cref="HttpShare"/>) and, once upgraded to
/// WebSockets (the console's circuits), <c>MaxConcurrentUpgradedConnections</c> (by default <see cref="UpgradedShare"/>).
/// The rest stay for the runtime (assemblies it loads later hold descriptors too), the store and the cluster. Kestrel
/// refuses connections over its caps only after accepting them, so <see cref="HttpConnectionCap"/> holds the HTTP API
/// to both caps together at accept, counting each connection until its socket is closed.
/// </summary>
public static class ConnectionLimits
{
    /// <summary>The share of the descriptors left at start that the HTTP API may hold when Kestrel's limit is not configured.</summary>
    public const double HttpShare = 0.1;

    /// <summary>The share the HTTP API's upgraded (WebSocket) connections may hold when Kestrel's limit on them is not configured.</summary>
    public const double UpgradedShare = 0.05;

    /// <summary>Kestrel's setting for the HTTP API's cap.</summary>
    public const string HttpKey = "Kestrel:Limits:MaxConcurrentConnections";

    /// <summary>Kestrel's setting for the cap on upgraded connections, which count against it instead of <see cref="HttpKey"/>.</summary>
    public const string UpgradedKey = "Kestrel:Limits:MaxConcurrentUpgradedConnections";

    /// <summary>The part of the descriptors left at start that every cap together may take.</summary>
    public const double AllShares = ConnectionCapacity.DefaultShare + HttpShare + UpgradedShare;

    /// <summary>
    /// Refuses caps the process cannot hold, and gives the HTTP API its default caps; nothing where the limit on open
    /// files is not known. A configured MQTT cap must be within its share (<see cref="ConnectionCapacity.Unreachable"/>);
    /// configured HTTP caps, together with the MQTT one (each configured or default), within <see cref="AllShares"/>: at
    /// the limit, the process ends wherever it next needs a descriptor, whichever listener used them up.
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A cap that is not a whole number, below 1, or beyond the descriptors left; a listen backlog (<see cref="ListenBacklog"/>) that is not a whole number or below 1.</exception>
    public static void Configure(WebApplicationBuilder builder)
    {
        HttpConnectionCap.Register(builder.Services);
        var (limit, open) = (ConnectionCapacity.OpenFileLimit(), ConnectionCapacity.OpenFiles());
        // clamped: a value beyond an int is beyond any share, and refused as such
        var mqtt = Read(builder.Configuration, ConnectionCapacity.ConfigurationKey) is { } configured ? (int)Math.Clamp(configured, int.MinValue, int.MaxValue) : (int?)null;
        if (ConnectionCapacity.Unreachable(mqtt, limit, open) is { } refusal)
            throw new ServiceConfigurationException(refusal);
        if (Read(builder.Configuration, ListenBacklog.ConfigurationKey) is { } backlog && ListenBacklog.Invalid(backlog) is { } invalid)
            throw new ServiceConfigurationException(invalid);
        var (http, upgraded) = (Read(builder.Configuration, HttpKey), Read(builder.Configuration, UpgradedKey));
        if ((http is not null || upgraded is not null)
            && Unreachable(http ?? Default(HttpShare, limit, open), upgraded ?? Default(UpgradedShare, limit, open), ConnectionCapacity.For(mqtt, limit, open), limit, open) is { } all)
            throw new ServiceConfigurationException(all);
        if (limit is null || open is null) return;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // the descriptors left when Kestrel reads its options, as the MQTT endpoint counts them when it starts: about
            // a hundred more are open by then (assemblies, the store) than when the service was configured, which a
            // share of the earlier count would take from the runtime's
            var now = ConnectionCapacity.OpenFiles() ?? open;
            if (http is null && Default(HttpShare, limit, now) is { } httpDefault) kestrel.Limits.MaxConcurrentConnections = httpDefault;
            if (upgraded is null && Default(UpgradedShare, limit, now) is { } upgradedDefault) kestrel.Limits.MaxConcurrentUpgradedConnections = upgradedDefault;
        });
    }

    /// <summary>
    /// Why configured HTTP caps cannot be held beside the MQTT cap <paramref name="mqtt"/>, or null when they can (or
    /// nothing is known): each at least 1, all three within <see cref="AllShares"/> of the descriptors left.
    /// </summary>
    public static string? Unreachable(long? http, long? upgraded, int? mqtt, long? limit, int? open)
    {
        foreach (var (key, value) in new[] { (HttpKey, http), (UpgradedKey, upgraded) })
            if (value is <= 0) return $"{key} = {value}: it must be at least 1.";
        if (limit is not { } max || open is not { } used) return null;
        var most = (long)((max - used) * AllShares);
        return (http ?? 0) + (upgraded ?? 0) + (mqtt ?? 0) <= most ? null
            : $"{HttpKey} = {http}, {UpgradedKey} = {upgraded} and {ConnectionCapacity.ConfigurationKey} = {mqtt} are more than {most} together, " +
              $"{AllShares * 100:0} % of the {max - used} file descriptors this process has left (its limit on open files is {max}, {used} are open): " +
              "a flood of connections would exhaust them and end the service. Raise the limit (systemd LimitNOFILE=, docker run --ulimit nofile=) or lower these settings.";
    }

    /// <summary><paramref name="share"/> of the descriptors left (at least one), or null when the limit is not known.</summary>
    public static long? Default(double share, long? limit, int? open) =>
        limit is { } max && open is { } used ? Math.Max(1, (long)((max - used) * share)) : null;

    private static long? Read(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return null;
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value : throw new ServiceConfigurationException($"{key} = '{text}' is not a whole number.");
    }
}
