using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The service as its own process (the built <c>iotid-service</c>), so the CPU it spends can be read from the
/// operating system apart from the simulator's: on embedded defaults, with free loopback ports, its dev tenant's
/// default group trusting the fleet's manufacturer root when one is given (a PEM file handed over by configuration).
/// </summary>
public sealed class ServiceProcess : IServiceTarget
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri httpUrl, int mqttPort, string trustAnchorPath, string? apiKey)
    {
        _process = process;
        HttpUrl = httpUrl;
        MqttPort = mqttPort;
        TrustAnchorPath = trustAnchorPath;
        ApiKey = apiKey;
    }

    /// <summary>The HTTP API's address.</summary>
    public Uri HttpUrl { get; }

    /// <summary>The dev tenant's owner-admin API key, which the service prints once, on the first start in a data directory; else null.</summary>
    public string? ApiKey { get; }

    /// <summary>The MQTT TLS port.</summary>
    public int MqttPort { get; }

    /// <summary>The service's dev certificate, which devices trust.</summary>
    public string TrustAnchorPath { get; }

    /// <summary>CPU time the service process has used so far.</summary>
    public TimeSpan? CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <inheritdoc/>
    public Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ApiKey is null ? null : new ServiceApi(HttpUrl, ApiKey));

    /// <summary>How devices reach the MQTT endpoint.</summary>
    public EnrollmentClientOptions ClientOptions => new()
    {
        Host = "127.0.0.1", Port = MqttPort, TrustAnchors = [X509Certificate2.CreateFromPem(File.ReadAllText(TrustAnchorPath))], RequestTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The built service next to this simulator build (same configuration), or null.</summary>
    public static string? FindServiceDll()
    {
        var here = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(here).Parent?.Name ?? "Release";
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "provisioning", "IoTIdentity.Provisioning.Host", "bin", configuration, "net10.0", "iotid-service.dll");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Starts the service process and waits until it answers. With <paramref name="manufacturerRoot"/>, the dev
    /// tenant's default group trusts it; without, the service starts with no manufacturer trusted (for a
    /// <see cref="RemoteTarget"/> to set up through the HTTP API with <see cref="ApiKey"/>).
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string serviceDll, string dataDirectory, byte[]? manufacturerRoot, CancellationToken cancellationToken)
    {
        var fresh = !Directory.Exists(dataDirectory) || !Directory.EnumerateFileSystemEntries(dataDirectory).Any();
        Directory.CreateDirectory(dataDirectory);
        var (http, mqtt) = (FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                serviceDll, "--Urls", $"http://127.0.0.1:{http}", "--Provisioning:DataDirectory", Path.GetFullPath(dataDirectory),
                "--Mqtt:TlsPort", mqtt.ToString(), "--Mqtt:BindAddress", "127.0.0.1",
                "--Mqtt:DeviceRequestsPerWindow", "1000", "--Mqtt:AddressRequestsPerWindow", "1000000",
                "--Orleans:SiloPort", FreePorts.Next().ToString(), "--Orleans:GatewayPort", FreePorts.Next().ToString(),
                "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Orleans", "Error",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (manufacturerRoot is not null)
        {
            var rootPath = Path.GetFullPath(Path.Combine(dataDirectory, "fleet-manufacturer-root.pem"));
            File.WriteAllText(rootPath, X509CertificateLoader.LoadCertificate(manufacturerRoot).ExportCertificatePem());
            start.ArgumentList.Add("--Provisioning:DevTrustedRootFiles:0");
            start.ArgumentList.Add(rootPath);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the service");
        string? apiKey = null;
        process.OutputDataReceived += (_, line) =>
        {
            // DevBootstrap prints the new dev tenant's key alone on the line after it announces it: "[iotid]   iotid.…"
            if (line.Data?.Trim() is { } text && text.StartsWith("[iotid]", StringComparison.Ordinal) && text[7..].Trim() is var key && key.StartsWith("iotid.", StringComparison.Ordinal))
                apiKey = key;
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http_ = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the service exited with {process.ExitCode} during start-up");
            try
            {
                if ((await http_.GetAsync("/healthz", cancellationToken)).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the service did not answer within 60 s");
            await Task.Delay(200, cancellationToken);
        }
        for (var i = 0; fresh && apiKey is null && i < 50; i++) await Task.Delay(100, cancellationToken); // the key line may still be in the pipe
        return new ServiceProcess(process, new Uri($"http://127.0.0.1:{http}"), mqtt, Path.Combine(Path.GetFullPath(dataDirectory), "mqtt-dev-cert.pem"), apiKey);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
