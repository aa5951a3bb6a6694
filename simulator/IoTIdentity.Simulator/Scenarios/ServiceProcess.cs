using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The service as its own process (the built <c>iotid-service</c>), so the CPU it spends can be read from the
/// operating system apart from the simulator's: on embedded defaults, with free loopback ports, its dev tenant's
/// default group trusting the fleet's manufacturer root when one is given (a PEM file handed over by configuration).
/// </summary>
public sealed class ServiceProcess : IServiceTarget
{
    private const int OutputLines = 200;
    private readonly Process _process;
    private readonly Queue<string> _output;

    private ServiceProcess(Process process, Queue<string> output, Uri httpUrl, int mqttPort, string trustAnchorPath, string? apiKey, string? adminKey)
    {
        AdminKey = adminKey;
        _process = process;
        _output = output;
        HttpUrl = httpUrl;
        MqttPort = mqttPort;
        TrustAnchorPath = trustAnchorPath;
        ApiKey = apiKey;
    }

    /// <summary>The HTTP API's address.</summary>
    public Uri HttpUrl { get; }

    /// <summary>The dev tenant's owner-admin API key, which the service prints once, on the first start in a data directory; else null.</summary>
    public string? ApiKey { get; }

    /// <summary>
    /// The service administrator key, which the service prints once, on the first start in a data directory when no
    /// <c>Provisioning:ServiceAdminKeyHash</c> is configured; else null.
    /// </summary>
    public string? AdminKey { get; }

    /// <summary>The MQTT TLS port.</summary>
    public int MqttPort { get; }

    /// <summary>The service process's id (for profilers, and for reading what it was started with).</summary>
    public int ProcessId => _process.Id;

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

    /// <summary>The service process's resident memory (working set) now, in bytes.</summary>
    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <inheritdoc/>
    public Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ApiKey is null ? null : new ServiceApi(HttpUrl, ApiKey));

    /// <inheritdoc/>
    public Task<ServiceApi?> GetAdminApiAsync(CancellationToken cancellationToken) =>
        Task.FromResult(AdminKey is null ? null : new ServiceApi(HttpUrl, AdminKey));

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
    /// Starts the service process and waits until it answers. With <paramref name="manufacturerRoot"/>, the dev
    /// tenant's default group trusts it; without, the service starts with no manufacturer trusted (for a
    /// <see cref="RemoteTarget"/> to set up through the HTTP API with <see cref="ApiKey"/>).
    /// </summary>
    /// <param name="serviceDll">The built <c>iotid-service.dll</c>.</param>
    /// <param name="dataDirectory">The service's data directory.</param>
    /// <param name="manufacturerRoot">The root the dev tenant's default group must trust, or null.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="arguments">Configuration to add or override (e.g. Cosmos storage and clustering for a multi-silo cluster).</param>
    /// <param name="environment">Environment variables for the service process (e.g. runtime GC settings).</param>
    /// <param name="cpu">When set, the only logical CPU the service may run on (through <c>taskset</c>).</param>
    public static async Task<ServiceProcess> StartAsync(string serviceDll, string dataDirectory, byte[]? manufacturerRoot, CancellationToken cancellationToken,
        IReadOnlyList<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null, int? cpu = null)
    {
        var fresh = !Directory.Exists(dataDirectory) || !Directory.EnumerateFileSystemEntries(dataDirectory).Any();
        Directory.CreateDirectory(dataDirectory);
        // a port that was free when drawn can be taken by another process (a parallel test's) before the service binds
        // it; the service then refuses the start naming it (PortConflicts), and the start is made again on fresh ports
        for (var attempt = 1; ; attempt++)
        {
            var started = await StartOnceAsync(serviceDll, dataDirectory, fresh, manufacturerRoot, arguments, environment, cpu, attempt, cancellationToken);
            if (started is not null) return started;
        }
    }

    /// <summary>How many times <see cref="StartAsync"/> draws fresh ports when another process took one.</summary>
    private const int PortAttempts = 3;

    /// <summary>One start on freshly drawn ports; null when the service refused it for a port another process holds (before the last attempt).</summary>
    private static async Task<ServiceProcess?> StartOnceAsync(string serviceDll, string dataDirectory, bool fresh, byte[]? manufacturerRoot,
        IReadOnlyList<string>? arguments, IReadOnlyDictionary<string, string>? environment, int? cpu, int attempt, CancellationToken cancellationToken)
    {
        var (http, mqtt) = (FreePorts.Next(), FreePorts.Next());
        var start = new ProcessStartInfo(cpu is null ? "dotnet" : "taskset")
        {
            ArgumentList =
            {
                serviceDll, "--Urls", $"http://127.0.0.1:{http}", "--Provisioning:DataDirectory", Path.GetFullPath(dataDirectory),
                "--Provisioning:Mode", "Development",
                "--Mqtt:TlsPort", mqtt.ToString(), "--Mqtt:BindAddress", "127.0.0.1",
                "--Mqtt:DeviceRequestsPerWindow", "1000", "--Mqtt:AddressRequestsPerWindow", "1000000", "--Mqtt:MaxConnectionsPerAddress", "1000000",
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
        foreach (var argument in arguments ?? []) start.ArgumentList.Add(argument);
        if (cpu is { } core)
        {
            start.ArgumentList.Insert(0, "dotnet");
            start.ArgumentList.Insert(0, core.ToString());
            start.ArgumentList.Insert(0, "-c");
        }
        // the simulator's own runtime switch is not the service's (GeneratorRuntime); a caller may still pass it explicitly
        start.Environment.Remove(GeneratorRuntime.InlineCompletions);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var output = new Queue<string>();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the service");
        var keys = new PrintedKeys();
        process.OutputDataReceived += (_, line) =>
        {
            Keep(output, line.Data);
            keys.Read(line.Data);
        };
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http_ = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited)
            {
                // the exit can be seen before the pipes are read to their end: wait for that, or the reason is lost
                using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await process.WaitForExitAsync(drain.Token);
                }
                catch (OperationCanceledException)
                {
                }
                var portTaken = process.ExitCode == PortConflicts.ExitCode && Tail(output).Contains(PortConflicts.Words, StringComparison.Ordinal);
                if (portTaken && attempt < PortAttempts)
                {
                    process.Dispose();
                    return null;
                }
                var attempts = portTaken ? $" (attempt {attempt} of {PortAttempts}, each on ports drawn again)" : "";
                throw new InvalidOperationException($"the service exited with {process.ExitCode} during start-up{attempts}:\n{Tail(output)}");
            }
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
        // the key lines may still be in the pipe; no administrator key is printed when its hash is configured
        var adminConfigured = start.ArgumentList.Any(a => a.Contains("ServiceAdminKeyHash", StringComparison.Ordinal))
            || start.Environment.Keys.Any(k => k.Contains("ServiceAdminKeyHash", StringComparison.Ordinal));
        for (var i = 0; fresh && (keys.ApiKey is null || (keys.AdminKey is null && !adminConfigured)) && i < 50; i++) await Task.Delay(100, cancellationToken);
        return new ServiceProcess(process, output, new Uri($"http://127.0.0.1:{http}"), mqtt, Path.Combine(Path.GetFullPath(dataDirectory), "mqtt-dev-cert.pem"),
            keys.ApiKey, keys.AdminKey);
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
