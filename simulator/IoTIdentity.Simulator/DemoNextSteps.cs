namespace IoTIdentity.Simulator;

/// <summary>What the demo prints at its end: how to look at what it did with the CLI and where a real device fits in.</summary>
public static class DemoNextSteps
{
    /// <summary>
    /// The lines to print, for a service at <paramref name="api"/> whose dev tenant's owner-admin key the simulator keeps
    /// in <paramref name="keyFile"/> of the data directory, with MQTT TLS on <paramref name="mqttPort"/>; <paramref name="deviceId"/> is one of the devices enrolled.
    /// </summary>
    public static IReadOnlyList<string> Lines(DemoOptions options, Uri api, int mqttPort, string? mqttCertificate, string? deviceId, string keyFile)
    {
        var data = Path.GetFullPath(options.DataDirectory);
        var url = api.GetLeftPart(UriPartial.Authority);
        var lines = new List<string>
        {
            "[demo] try next, with the fleet CLI (on PATH after ./scripts/install-iotid.sh; or: dotnet run --project tools/IoTIdentity.Fleet.Cli --):",
            $"  export IOTID_URL={url}",
            $"  export IOTID_API_KEY=\"$(cat {Path.Combine(data, keyFile)})\"   # the dev tenant's owner-admin key",
            "  iotid devices list",
        };
        if (deviceId is not null)
        {
            lines.Add($"  iotid devices get {deviceId}");
            lines.Add($"  iotid devices revoke {deviceId} --reason keyCompromise");
        }
        lines.Add("  iotid audit query");
        lines.Add("[demo] a device of your own: iotid-agent (device-agent/README.md) against MQTT " +
            $"127.0.0.1:{mqttPort} trusting {mqttCertificate ?? "the service's MQTT certificate"}" +
            " (--broker-host, --broker-port, --trust-anchor); its TPM's manufacturer root goes into a group: iotid groups put <group> --trusted-root <pem>");
        lines.Add(options.KeepRunning
            ? "[demo] the service keeps running (--keep-running) so these work; Ctrl+C stops it"
            : "[demo] the service stopped with the demo: ./scripts/demo.sh --keep-running keeps it up for the commands above");
        return lines;
    }
}
