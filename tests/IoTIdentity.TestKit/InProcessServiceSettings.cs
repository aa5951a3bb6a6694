using System.Globalization;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.TestKit;

/// <summary>
/// The configuration of the service hosted inside a test process: everything on loopback with its own free ports
/// (HTTP and MQTT ephemeral, Orleans' two from <see cref="FreePorts"/>), no dev tenant, warnings only, and
/// a CONNECT timeout for a loaded test machine.
/// </summary>
public static class InProcessServiceSettings
{
    /// <summary>The settings for a service keeping its data in <paramref name="dataDirectory"/>, then <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string?> For(string dataDirectory, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Provisioning:DataDirectory"] = dataDirectory,
            ["Provisioning:Mode"] = "Development",
            ["Provisioning:BootstrapDevTenant"] = "false",
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Mqtt:TlsPort"] = "0",
            ["Mqtt:BindAddress"] = "127.0.0.1",
            // a test machine may be loaded far beyond a server's: 200 devices handshaking at once at load 45 outran the
            // 5 s default (the server closed sessions before CONNACK); the timeout's own tests set theirs
            ["Mqtt:ConnectTimeout"] = "00:01:00",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? []) settings[key] = value;
        return settings;
    }
}
