using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// HTTPS for the management API. Every <c>https://</c> URL in <c>Urls</c> is served with the certificate at
/// <c>Http:CertificatePath</c> (PKCS#12, or PEM with <c>Http:CertificateKeyPath</c>; <c>Http:CertificatePassword</c>), or —
/// in development mode without one — the service's development certificate (the MQTT endpoint's, in the data directory).
/// The listener on <c>Http:DeviceCertificatePort</c> also asks devices for their certificate (<see cref="DeviceCertificateHttps"/>).
/// In production the API is HTTPS only, with HSTS: plain <c>http://</c> URLs are refused at start unless
/// <c>Http:AllowPlaintext</c> says a TLS-terminating proxy stands in front.
/// </summary>
public static class ManagementHttps
{
    /// <summary>The configuration key of the certificate.</summary>
    public const string CertificatePathKey = "Http:CertificatePath";

    /// <summary>The configuration key that allows plain HTTP in production.</summary>
    public const string AllowPlaintextKey = "Http:AllowPlaintext";

    /// <summary>The URLs the API listens on (<c>Urls</c>, as ASP.NET Core reads it).</summary>
    public static IReadOnlyList<string> Urls(IConfiguration configuration) =>
        (configuration["Urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>What a production start lacks for HTTPS: the certificate, and URLs that are all https.</summary>
    public static IEnumerable<string> Missing(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[CertificatePathKey]))
            yield return $"{CertificatePathKey} — the management API's TLS certificate (PKCS#12, or PEM with Http:CertificateKeyPath)";
        var urls = Urls(configuration);
        if (!configuration.GetValue<bool>(AllowPlaintextKey) && (urls.Count == 0 || urls.Any(u => !u.StartsWith("https://", StringComparison.OrdinalIgnoreCase))))
            yield return $"Urls — https:// endpoints only for the management API (e.g. https://+:8443; {AllowPlaintextKey}=true only behind a TLS-terminating proxy)";
    }

    /// <summary>Serves every https URL with the configured (or, in development, the dev) certificate.</summary>
    public static void Configure(WebApplicationBuilder builder, bool development, string dataDirectory)
    {
        var configuration = builder.Configuration;
        var devicePort = DeviceCertificateHttps.Port(configuration);
        if (!Urls(configuration).Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase))) return;
        var certificate = LoadCertificate(configuration, development, dataDirectory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            if (devicePort is { } port) DeviceCertificateHttps.RequestOn(port, https);
        }));
    }

    private static X509Certificate2 LoadCertificate(IConfiguration configuration, bool development, string dataDirectory)
    {
        if (configuration[CertificatePathKey] is { Length: > 0 } path)
            return ServerCertificates.LoadConfigured(path, configuration["Http:CertificateKeyPath"], configuration["Http:CertificatePassword"], "HTTP API certificate");
        if (!development) throw new InvalidOperationException($"{CertificatePathKey} is not set");
        var mqtt = configuration.GetSection("Mqtt").Get<MqttEndpointOptions>() ?? new MqttEndpointOptions();
        mqtt.DataDirectory = dataDirectory;
        mqtt.CertificatePath = null;
        return ServerCertificates.Load(mqtt, TimeProvider.System, NullLogger.Instance).Certificate;
    }
}
