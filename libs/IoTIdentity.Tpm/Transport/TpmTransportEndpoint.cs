using System.Globalization;

namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// A parsed TPM location from configuration. Accepted forms:
/// <list type="bullet">
/// <item><c>device:///dev/tpmrm0</c>, <c>device:/dev/tpm0</c>, <c>device</c> (defaults to /dev/tpmrm0);</item>
/// <item><c>swtpm://127.0.0.1:2321?ctrl=2322</c> — data port, then the control port (default data port + 1);</item>
/// <item><c>mssim://127.0.0.1:2321?platform=2322&amp;locality=0</c> — command port, then the platform port
/// (default command port + 1);</item>
/// <item>the tpm2-tools TCTI spelling of the same: <c>swtpm:host=127.0.0.1,port=2321</c>,
/// <c>mssim:host=localhost,port=2321</c>, which use port + 1 for the second channel as tpm2-tss does;</item>
/// <item><c>tcti:tabrmd:bus_type=session</c> — any tpm2-tss TCTI configuration after <c>tcti:</c>, loaded by
/// libtss2-tctildr (<see cref="TctiTransport"/>): how the agent shares a TPM with OpenSSL's tpm2 provider behind
/// tpm2-abrmd.</item>
/// </list>
/// Ports default to 2321. Anything else is a <see cref="FormatException"/> that quotes the input.
/// </summary>
public sealed record TpmTransportEndpoint
{
    private const int DefaultPort = 2321;

    /// <summary>Which transport this names.</summary>
    public required TpmTransportKind Kind { get; init; }

    /// <summary>The simulator's host (null for a device).</summary>
    public string? Host { get; init; }

    /// <summary>The swtpm data port or the simulator command port (0 for a device).</summary>
    public int Port { get; init; }

    /// <summary>The swtpm control port or the simulator platform port (0 for a device).</summary>
    public int ControlPort { get; init; }

    /// <summary>The locality commands are sent from (MS simulator only; swtpm sets it over the control channel).</summary>
    public byte Locality { get; init; }

    /// <summary>The device path (null for a simulator).</summary>
    public string? DevicePath { get; init; }

    /// <summary>The tpm2-tss TCTI configuration (only for <see cref="TpmTransportKind.Tcti"/>).</summary>
    public string? Tcti { get; init; }

    /// <summary>Parses <paramref name="configuration"/>; see the type's remarks for the accepted forms.</summary>
    public static TpmTransportEndpoint Parse(string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration.Trim();
        var colon = text.IndexOf(':');
        var scheme = (colon < 0 ? text : text[..colon]).ToLowerInvariant();
        var rest = colon < 0 ? "" : text[(colon + 1)..];
        return scheme switch
        {
            "device" => ParseDevice(configuration, rest),
            "tcti" when rest.Trim().Length > 0 => new TpmTransportEndpoint { Kind = TpmTransportKind.Tcti, Tcti = rest.Trim() },
            "tcti" => throw Bad(configuration, "name the TCTI after 'tcti:', as in tcti:tabrmd:bus_type=session"),
            "swtpm" or "mssim" when rest.StartsWith("//", StringComparison.Ordinal) => ParseUri(configuration, scheme, text),
            "swtpm" or "mssim" => ParseTcti(configuration, scheme, rest),
            _ => throw Bad(configuration, $"unknown scheme '{scheme}'"),
        };
    }

    /// <summary>The canonical URI form, e.g. <c>swtpm://127.0.0.1:2321?ctrl=2322</c>.</summary>
    public override string ToString() => Kind switch
    {
        TpmTransportKind.Device => "device://" + DevicePath,
        TpmTransportKind.Tcti => "tcti:" + Tcti,
        TpmTransportKind.Swtpm => $"swtpm://{FormatHost(Host!)}:{Port}?ctrl={ControlPort}",
        _ => $"mssim://{FormatHost(Host!)}:{Port}?platform={ControlPort}&locality={Locality}",
    };

    private static TpmTransportEndpoint ParseDevice(string configuration, string rest)
    {
        var path = rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest;
        if (path.Length == 0) path = DeviceTransport.DefaultPath;
        if (!path.StartsWith('/')) throw Bad(configuration, "the device path must be absolute, as in device:///dev/tpmrm0");
        return new TpmTransportEndpoint { Kind = TpmTransportKind.Device, DevicePath = path };
    }

    private static TpmTransportEndpoint ParseUri(string configuration, string scheme, string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.DnsSafeHost.Length == 0)
            throw Bad(configuration, "not a valid URI with a host");
        if (uri.AbsolutePath is not ("" or "/") || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw Bad(configuration, "only a host, a port and a query are allowed");
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var secondKey = scheme == "swtpm" ? "ctrl" : "platform";
        int? second = null;
        byte locality = 0;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = SplitPair(configuration, pair);
            if (key == secondKey) second = ParsePort(configuration, value);
            else if (key == "locality" && scheme == "mssim") locality = ParseLocality(configuration, value);
            else throw Bad(configuration, $"unknown option '{key}' (expected '{secondKey}'{(scheme == "mssim" ? " or 'locality'" : "")})");
        }
        return Create(configuration, scheme, uri.DnsSafeHost, port, second, locality);
    }

    private static TpmTransportEndpoint ParseTcti(string configuration, string scheme, string rest)
    {
        var host = "127.0.0.1";
        var port = DefaultPort;
        foreach (var pair in rest.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = SplitPair(configuration, pair);
            if (key == "host") host = value.Length > 0 ? value : throw Bad(configuration, "empty host");
            else if (key == "port") port = ParsePort(configuration, value);
            else throw Bad(configuration, $"unknown TCTI option '{key}' (expected 'host' or 'port')");
        }
        return Create(configuration, scheme, host, port, second: null, locality: 0);
    }

    private static TpmTransportEndpoint Create(string configuration, string scheme, string host, int port, int? second, byte locality)
    {
        var control = second ?? port + 1;
        if (control > ushort.MaxValue) throw Bad(configuration, $"port {port} leaves no room for the second channel on port + 1");
        if (control == port) throw Bad(configuration, "the two channels cannot share one port");
        return new TpmTransportEndpoint
        {
            Kind = scheme == "swtpm" ? TpmTransportKind.Swtpm : TpmTransportKind.MsSimulator,
            Host = host,
            Port = port,
            ControlPort = control,
            Locality = locality,
        };
    }

    private static (string Key, string Value) SplitPair(string configuration, string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw Bad(configuration, $"'{pair}' is not key=value");
        return (pair[..eq].Trim().ToLowerInvariant(), pair[(eq + 1)..].Trim());
    }

    private static int ParsePort(string configuration, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= ushort.MaxValue
            ? port
            : throw Bad(configuration, $"'{value}' is not a TCP port (1–65535)");

    private static byte ParseLocality(string configuration, string value)
        => byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var locality) && locality <= 4
            ? locality
            : throw Bad(configuration, $"'{value}' is not a locality (0–4)");

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    private static FormatException Bad(string configuration, string why) => new(
        $"TPM transport '{configuration}': {why}. Expected device:///dev/tpmrm0, swtpm://HOST:PORT?ctrl=PORT, " +
        "mssim://HOST:PORT?platform=PORT, a tpm2-tools TCTI such as swtpm:host=HOST,port=PORT, or tcti:CONFIG (e.g. tcti:tabrmd:bus_type=session)");
}
