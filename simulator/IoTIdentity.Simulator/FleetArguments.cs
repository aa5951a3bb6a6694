using System.Globalization;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator;

/// <summary>Reads and checks the fleet commands' arguments; a bad one is an <see cref="ArgumentException"/> that names it.</summary>
public static class FleetArguments
{
    /// <summary>
    /// A duration: seconds (<c>90</c>, <c>90s</c>), minutes (<c>10m</c>), hours (<c>1h</c>) or <c>hh:mm:ss</c>; null stays null.
    /// </summary>
    public static TimeSpan? Duration(string? text)
    {
        if (text is null) return null;
        var value = text.Trim();
        var (number, unit) = value.Length > 0 && char.IsLetter(value[^1]) ? (value[..^1], value[^1]) : (value, 's');
        TimeSpan? parsed = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) ? unit switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => null,
        } : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span : null;
        return parsed is { } d && d > TimeSpan.Zero ? d : throw new ArgumentException($"--duration {text}: expected a positive 90s, 10m, 1h or hh:mm:ss");
    }

    /// <summary>
    /// The remote target, when <paramref name="serviceUrl"/> is given; it then needs the MQTT endpoint, CA certificate
    /// and API key too (the service administrator key <paramref name="adminKey"/> stays optional).
    /// </summary>
    public static RemoteTargetOptions? Remote(string? serviceUrl, string? mqtt, string? caCertificate, string? apiKey, string group, string? adminKey = null,
        bool createGroup = false)
    {
        if (serviceUrl is null)
            return (mqtt ?? caCertificate ?? apiKey ?? adminKey) is null && !createGroup ? null
                : throw new ArgumentException("--mqtt, --ca-cert, --api-key, --admin-key and --create-group go with --service-url");
        if (adminKey is not null && !adminKey.StartsWith("iotid-admin.", StringComparison.Ordinal))
            throw new ArgumentException("--admin-key: expected the service administrator key, iotid-admin.…");
        var missing = new[] { ("--mqtt", mqtt), ("--ca-cert", caCertificate), ("--api-key", apiKey) }.Where(p => string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1).ToList();
        if (missing.Count > 0) throw new ArgumentException($"--service-url needs {string.Join(", ", missing)} as well");
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--service-url {serviceUrl}: expected http(s)://host:port");
        RemoteTarget.ParseMqtt(mqtt!);
        return new RemoteTargetOptions(url, mqtt!, caCertificate!, apiKey!, group, adminKey, createGroup);
    }

    /// <summary>
    /// Checks the combination: <paramref name="scenario"/> able to run on this machine, sizes and rate positive, a remote
    /// target not also a local service process, and given the administrator key when the scenario needs it — before
    /// anything on the target changes.
    /// </summary>
    public static void Check(FleetOptions options, IFleetScenario? scenario = null)
    {
        if (scenario?.Unavailable is { } unavailable) throw new ArgumentException(unavailable);
        if (scenario is { NeedsServiceAdministrator: true } && options.Remote is { AdminKey: null })
            throw new ArgumentException($"{scenario.Name} creates a tenant and needs the remote service's administrator key: pass --admin-key iotid-admin.…");
        if (options.Devices < 1) throw new ArgumentException("--devices must be at least 1");
        if (options.Swtpms < 1) throw new ArgumentException("--swtpms must be at least 1");
        if (options.Rate is <= 0 or double.NaN or double.PositiveInfinity) throw new ArgumentException("--rate must be a positive number of devices per second");
        if (options.Tpm == Factory.TpmKind.Emulated && options.Firmware is not null)
            throw new ArgumentException("--firmware boots swtpm processes; emulated TPMs have measured boot off (--tpm swtpm)");
        if (options.Tpm == Factory.TpmKind.Emulated && scenario is { SupportsEmulatedTpm: false })
            throw new ArgumentException($"{scenario.Name} needs swtpm devices (--tpm swtpm)");
        if (options.Remote is not null && options.ServiceProcess) throw new ArgumentException("--service-url and --service-process exclude each other");
    }
}
