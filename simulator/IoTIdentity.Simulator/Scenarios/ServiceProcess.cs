using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The service as its own process (the built <c>iotid-service</c>), so the CPU it spends can be read from the
/// operating system apart from the simulator's: on embedded defaults, with free loopback ports, its dev tenant's
/// default group trusting the fleet's manufacturer root (a PEM file handed over by configuration).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int OutputLines = 200;
    private readonly Process _process;
    private readonly Queue<string> _output;

    private ServiceProcess(Process process, Queue<string> output, int mqttPort, string trustAnchorPath)
    {
        _process = process;
        _output = output;
        MqttPort = mqttPort;
        TrustAnchorPath = trustAnchorPath;
    }

    /// <summary>The MQTT TLS port.</summary>
    public int MqttPort { get; }

    /// <summary>The service's dev certificate, which devices trust.</summary>
    public string TrustAnchorPath { get; }

    /// <summary>CPU time the service process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>How devices reach the MQTT endpoint.</summary>
    public EnrollmentClientOptions ClientOptions => new()
    {
        Host = "127.0.0.1", Port = MqttPort, TrustAnchors = [X509Certificate2.CreateFromPem(File.ReadAllText(TrustAnchorPath))], RequestTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The last lines the process wrote (stdout and stderr), for a failing test's message.</summary>
    public string Output => Tail(_output);

    /// <summary>Kills the process at once (SIGKILL: no shutdown, no goodbye to the cluster), as a crash would.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

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
    /// Starts the service process and waits until it answers; <paramref name="arguments"/> add or override
    /// configuration (e.g. Cosmos storage and clustering for a multi-silo cluster).
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string serviceDll, string dataDirectory, byte[] manufacturerRoot,
        CancellationToken cancellationToken, IReadOnlyList<string>? arguments = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var rootPath = Path.GetFullPath(Path.Combine(dataDirectory, "fleet-manufacturer-root.pem"));
        File.WriteAllText(rootPath, X509CertificateLoader.LoadCertificate(manufacturerRoot).ExportCertificatePem());
        var (http, mqtt) = (FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                serviceDll, "--Urls", $"http://127.0.0.1:{http}", "--Provisioning:DataDirectory", Path.GetFullPath(dataDirectory),
                "--Provisioning:DevTrustedRootFiles:0", rootPath, "--Mqtt:TlsPort", mqtt.ToString(), "--Mqtt:BindAddress", "127.0.0.1",
                "--Mqtt:DeviceRequestsPerWindow", "1000", "--Mqtt:AddressRequestsPerWindow", "1000000",
                "--Orleans:SiloPort", FreePorts.Next().ToString(), "--Orleans:GatewayPort", FreePorts.Next().ToString(),
                "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Orleans", "Error",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments ?? []) start.ArgumentList.Add(argument);
        var output = new Queue<string>();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the service");
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http_ = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the service exited with {process.ExitCode} during start-up:\n{Tail(output)}");
            try
            {
                if ((await http_.GetAsync("/healthz", cancellationToken)).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the service did not answer within 120 s");
            await Task.Delay(200, cancellationToken);
        }
        return new ServiceProcess(process, output, mqtt, Path.Combine(Path.GetFullPath(dataDirectory), "mqtt-dev-cert.pem"));
    }

    private static string Tail(Queue<string> output)
    {
        lock (output) return string.Join('\n', output);
    }

    private static void Keep(Queue<string> output, string? line)
    {
        if (line is null) return;
        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > OutputLines) output.Dequeue();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
