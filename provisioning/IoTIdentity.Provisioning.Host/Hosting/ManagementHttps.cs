using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// HTTPS for the management API. Every <c>https://</c> URL in <c>Urls</c> (or <c>Kestrel:Endpoints</c>, which Kestrel then
/// binds instead) is served with the certificate at
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

    /// <summary>The section of Kestrel's own endpoints, each <c>Kestrel:Endpoints:{name}:Url</c>.</summary>
    public const string KestrelEndpointsKey = "Kestrel:Endpoints";

    /// <summary>
    /// The URLs the API listens on, each with the setting that names it, as ASP.NET Core binds them: the endpoints of
    /// <c>Kestrel:Endpoints</c> when any is configured (Kestrel then ignores <c>Urls</c>, saying it overrides them),
    /// else <c>Urls</c>. (An endpoint without a URL is one Kestrel refuses at start.)
    /// </summary>
    public static IReadOnlyList<(string Setting, string Url)> Endpoints(IConfiguration configuration)
    {
        List<(string Setting, string Url)> kestrel =
        [
            .. configuration.GetSection(KestrelEndpointsKey).GetChildren()
                .Where(endpoint => !string.IsNullOrWhiteSpace(endpoint["Url"]))
                .Select(endpoint => ($"{KestrelEndpointsKey}:{endpoint.Key}:Url", endpoint["Url"]!.Trim())),
        ];
        if (kestrel.Count > 0) return kestrel;
        return [.. (configuration["Urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(url => ("Urls", url))];
    }

    /// <summary>The URLs the API listens on (<see cref="Endpoints"/> without their settings).</summary>
    public static IReadOnlyList<string> Urls(IConfiguration configuration) => [.. Endpoints(configuration).Select(e => e.Url)];

    /// <summary>What a production start lacks for HTTPS: the certificate, and URLs (<c>Urls</c>, or
    /// <c>Kestrel:Endpoints</c> where configured) that are all https, each plain one named by its setting.</summary>
    public static IEnumerable<string> Missing(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[CertificatePathKey]))
            yield return $"{CertificatePathKey} — the management API's TLS certificate (PKCS#12, or PEM with Http:CertificateKeyPath)";
        if (configuration.GetValue<bool>(AllowPlaintextKey)) yield break;
        var endpoints = Endpoints(configuration);
        var plain = endpoints.Where(e => !e.Url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)).Select(e => e.Setting).Distinct().ToList();
        if (endpoints.Count == 0) plain.Add("Urls");
        foreach (var setting in plain)
            yield return $"{setting} — https:// endpoints only for the management API (e.g. https://+:8443; {AllowPlaintextKey}=true only behind a TLS-terminating proxy)";
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
