using System.Net;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// TLS client authentication for devices on the HTTP API: the HTTPS listener on <c>Http:DeviceCertificatePort</c> (one of
/// the <c>https://</c> URLs in <c>Urls</c>) asks every client for a certificate in the handshake and takes whatever chain it
/// presents; which certificates count is decided per request by the device-certificate check of the endpoint that reads it
/// (<see cref="Api.DeviceTokenApi"/>), against the tenants' CAs — never the machine's roots. The other HTTPS listeners ask
/// for no certificate, so browsers on the console and the management API see no certificate prompt.
/// </summary>
public static class DeviceCertificateHttps
{
    /// <summary>The configuration key of the port.</summary>
    public const string PortKey = "Http:DeviceCertificatePort";

    /// <summary>The configured port, or null when no listener asks for device certificates.</summary>
    public static int? Port(IConfiguration configuration)
    {
        var value = configuration[PortKey];
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
            throw new InvalidOperationException($"{PortKey} '{value}' is not a TCP port (1–65535)");
        if (!ManagementHttps.Urls(configuration).Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && u.TrimEnd('/').EndsWith($":{port}", StringComparison.Ordinal)))
            throw new InvalidOperationException($"{PortKey} is {port}, but no https:// URL in Urls listens on that port");
        return port;
    }

    /// <summary>Asks for a client certificate on connections to <paramref name="port"/>, accepting any (checked per request).</summary>
    public static void RequestOn(int port, Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions https) =>
        https.OnAuthenticate = (connection, ssl) =>
        {
            if (connection.LocalEndPoint is not IPEndPoint local || local.Port != port) return;
            ssl.ClientCertificateRequired = true;
            // the chain is checked against the presenting device's tenant by the endpoint, not against the machine's roots
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        };
}
