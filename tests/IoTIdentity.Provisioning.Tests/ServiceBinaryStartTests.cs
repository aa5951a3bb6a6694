using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The built binary (<c>iotid-service.dll</c>) started as an operator starts it, with nothing from the test runner's
/// environment: in production mode without each secret it refuses at once — exit code 78, stderr naming the setting,
/// nothing on stdout, no secret anywhere, nothing written; with every secret it starts; and <c>--dev</c> alone, with no
/// configuration at all, starts on the documented defaults (in a network namespace of its own, so the default ports are
/// free whatever else runs on the machine).
/// </summary>
public sealed class ServiceBinaryStartTests : IDisposable
{
    private const int TestTimeout = 300_000;
    private static readonly TimeSpan StartBound = TimeSpan.FromMinutes(3);
    private readonly string _work = Directory.CreateTempSubdirectory("iotid-binary-").FullName;
    private readonly string _secrets = Directory.CreateTempSubdirectory("iotid-binary-secrets-").FullName;
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);
    private readonly string _adminKeyHash = Convert.ToHexString(ServiceAdminKeys.Hash(ServiceAdminKeys.New()));
    private readonly X509Certificate2 _tls;
    private readonly int _httpPort = FreePorts.Next();

    public ServiceBinaryStartTests()
    {
        using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", tlsKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _tls = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_secrets, "tls.crt"), _tls.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_secrets, "tls.key"), tlsKey.ExportPkcs8PrivateKeyPem());
        using var auditKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(_secrets, "audit.pem"), auditKey.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _tls.Dispose();
        Directory.Delete(_work, recursive: true);
        Directory.Delete(_secrets, recursive: true);
    }

    /// <summary>The secrets a production start needs, each removable by the test, then ports and the data directory.</summary>
    private Dictionary<string, string> Production() => Listening(new()
    {
        ["Provisioning:KeyEncryption:Current:Key"] = Convert.ToBase64String(_kek),
        ["Provisioning:KeyEncryption:Current:KeyId"] = "prod-1",
        ["Provisioning:ServiceAdminKeyHash"] = _adminKeyHash,
        ["Provisioning:AuditSigning:KeyPath"] = Path.Combine(_secrets, "audit.pem"),
        ["Mqtt:CertificatePath"] = Path.Combine(_secrets, "tls.crt"),
        ["Http:CertificatePath"] = Path.Combine(_secrets, "tls.crt"),
        ["Urls"] = $"https://127.0.0.1:{_httpPort}",
        ["Http:CertificateKeyPath"] = Path.Combine(_secrets, "tls.key"),
        ["Mqtt:CertificateKeyPath"] = Path.Combine(_secrets, "tls.key"),
    });

    /// <summary><paramref name="settings"/> with free loopback ports for the MQTT and Orleans listeners and the data directory, as every start here has them.</summary>
    private Dictionary<string, string> Listening(Dictionary<string, string> settings)
    {
        settings["Mqtt:TlsPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        settings["Mqtt:BindAddress"] = "127.0.0.1";
        settings["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        settings["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        settings["Provisioning:DataDirectory"] = Path.Combine(_work, "data");
        return settings;
    }

    /// <summary>The settings <see cref="A_production_start_without_a_secret_exits_78_naming_it_on_stderr_and_prints_nothing_else"/> takes away, one at a time.</summary>
    private static readonly string[] Required =
    [
        "Provisioning:KeyEncryption:Current:Key", "Provisioning:KeyEncryption:Current:KeyId", "Provisioning:ServiceAdminKeyHash",
        "Provisioning:AuditSigning:KeyPath", "Mqtt:CertificatePath", "Http:CertificatePath", "Urls",
    ];

    public static TheoryData<string> RequiredSettings => [.. Required];

    private static string[] Arguments(IEnumerable<KeyValuePair<string, string>> settings) => [.. settings.SelectMany(s => new[] { $"--{s.Key}", s.Value })];

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(RequiredSettings))]
    public async Task A_production_start_without_a_secret_exits_78_naming_it_on_stderr_and_prints_nothing_else(string setting)
    {
        var settings = Production();
        settings.Remove(setting);

        await using var run = ServiceBinaryRun.Start(Arguments(settings), _work);
        var exitCode = await run.WaitForExitAsync(StartBound);

        Assert.Equal(ServiceConfigurationException.ExitCode, exitCode);
        Assert.Equal("", run.Stdout);
        var stderr = run.Stderr;
        Assert.Contains($"{setting} ", stderr, StringComparison.Ordinal); // named as the setting it is ("…:Key (and :KeyId)", "…:KeyId — …")
        foreach (var configured in Required.Where(r => r != setting)) Assert.DoesNotContain($"{configured} ", stderr, StringComparison.Ordinal);
        Assert.Contains("Provisioning:Mode", stderr, StringComparison.Ordinal);
        Assert.Contains("--dev", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // a refusal, not a crash with a stack trace
        AssertNoSecretIn(run.Output);
        Assert.False(Directory.Exists(settings["Provisioning:DataDirectory"]), "a refused start created its data directory");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_production_start_with_a_plaintext_MQTT_listener_exits_78_naming_it()
    {
        var settings = Production();
        settings["Mqtt:AllowPlaintext"] = "true";
        settings["Mqtt:PlaintextPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);

        await using var run = ServiceBinaryRun.Start(Arguments(settings), _work);

        Assert.Equal(ServiceConfigurationException.ExitCode, await run.WaitForExitAsync(StartBound));
        Assert.Equal("", run.Stdout);
        Assert.Contains("Mqtt:AllowPlaintext — TLS only in production", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(settings["Provisioning:DataDirectory"]), "a refused start created its data directory");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_production_start_with_every_secret_answers_over_HTTPS_and_prints_no_secret()
    {
        await using var run = ServiceBinaryRun.Start(Arguments(Production()), _work);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.RawData.AsSpan().SequenceEqual(_tls.RawData) == true,
        };
        await run.WaitUntilHealthyAsync(new Uri($"https://127.0.0.1:{_httpPort}"), handler);
        await run.StopAsync();

        AssertNoSecretIn(run.Output);
        Assert.False(File.Exists(Path.Combine(_work, "data", "dev-kek.json")), "a production start wrote a development key-encryption key");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task With_dev_and_no_configuration_at_all_the_binary_starts_on_its_defaults()
    {
        RootPrivileges.Require("a network namespace of its own (unshare --net), in which the default ports 8080, 8883, 11111 and 30000 are free");

        await using var run = ServiceBinaryRun.Start(["--dev"], _work, ["unshare", "--net", "--", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""]);
        await run.WaitUntilAsync("answering http://localhost:8080/healthz in its namespace",
            async () => (await InNamespaceAsync(run.Id, "curl", "-sf", "-o", "/dev/null", "http://localhost:8080/healthz")).ExitCode == 0, StartBound);

        var listening = (await InNamespaceAsync(run.Id, "ss", "-Hltn")).Output;
        foreach (var port in new[] { 8080, 8883 }) Assert.Contains($":{port} ", listening, StringComparison.Ordinal);
        var data = Path.Combine(_work, ".data");
        foreach (var file in new[] { "iotidentity.db", "dev-kek.json", "dev-audit-checkpoint-key.pem", "mqtt-dev-cert.pem" })
            Assert.True(File.Exists(Path.Combine(data, file)), $"{file} is not in the default data directory {data}");
        await run.StopAsync();

        // the dev tenant's owner-admin key and the service administrator key, shown once by design; no other secret
        Assert.Equal(2, run.Output.Split('\n').Count(l => l.Contains("(shown once, stored hashed", StringComparison.Ordinal)));
        var ring = JsonSerializer.Deserialize<KeyEncryptionKeyRingOptions>(File.ReadAllText(Path.Combine(data, "dev-kek.json")))!;
        var devKek = Convert.FromBase64String(ring.Current.Key!);
        Assert.DoesNotContain(Convert.ToBase64String(devKek).TrimEnd('='), run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(devKek), run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("PRIVATE KEY-----", run.Output, StringComparison.Ordinal);
    }

    /// <summary>A development start on free loopback ports, with the plaintext MQTT listener too (each port a setting).</summary>
    private Dictionary<string, string> Development(string host = "127.0.0.1") => Listening(new()
    {
        ["Provisioning:Mode"] = "Development",
        ["Urls"] = $"http://{host}:{_httpPort}",
        ["Mqtt:AllowPlaintext"] = "true",
        ["Mqtt:PlaintextPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
    });

    public static TheoryData<string, string> Listeners => new()
    {
        { "Urls", "127.0.0.1" }, { "Urls", "localhost" }, { "Mqtt:TlsPort", "127.0.0.1" }, { "Mqtt:PlaintextPort", "127.0.0.1" },
        { "Orleans:SiloPort", "127.0.0.1" }, { "Orleans:GatewayPort", "127.0.0.1" }, { "Kestrel:Endpoints:Api:Url", "127.0.0.1" },
    };

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(Listeners))]
    public async Task A_port_another_process_listens_on_exits_75_naming_its_setting_and_address_not_a_crash(string setting, string host)
    {
        var settings = Development(host);
        // Kestrel binds its own endpoints instead of Urls (on the same port here, so a check of Urls would name it too)
        var kestrel = setting.StartsWith(ManagementHttps.KestrelEndpointsKey, StringComparison.Ordinal);
        if (kestrel) settings[setting] = $"http://{host}:{_httpPort}";
        var port = setting == "Urls" || kestrel ? _httpPort : int.Parse(settings[setting], CultureInfo.InvariantCulture);
        var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        other.Start();
        try
        {
            await using var run = ServiceBinaryRun.Start(Arguments(settings), _work);
            var exitCode = await run.WaitForExitAsync(StartBound);

            Assert.Equal(PortConflicts.ExitCode, exitCode);
            Assert.Equal("", run.Stdout);
            Assert.Equal($"iotid-service: {PortConflicts.Words}: {setting} (127.0.0.1:{port}); stop that process or configure another port", run.Stderr.Trim());
        }
        finally
        {
            other.Stop();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_Kestrel_endpoint_on_one_of_its_own_ports_exits_78_naming_both_settings()
    {
        var settings = Development();
        var port = settings["Mqtt:TlsPort"];
        settings["Kestrel:Endpoints:Api:Url"] = $"http://127.0.0.1:{port}";

        await using var run = ServiceBinaryRun.Start(Arguments(settings), _work);
        var exitCode = await run.WaitForExitAsync(StartBound);

        Assert.Equal(ServiceConfigurationException.ExitCode, exitCode);
        Assert.Equal($"iotid-service: two listeners are configured on one port: Kestrel:Endpoints:Api:Url (127.0.0.1:{port}) and Mqtt:TlsPort (127.0.0.1:{port}); give each its own port",
            run.Stderr.Trim());
    }

    /// <summary>Production's HTTPS-only rule holds for Kestrel's endpoints too: a plain one beside an https <c>Urls</c>
    /// (which Kestrel would ignore) is refused, naming it; https ones alone serve the API with the configured certificate.</summary>
    [Fact(Timeout = TestTimeout)]
    public async Task In_production_Kestrel_endpoints_are_held_to_HTTPS_as_Urls_is()
    {
        var plain = Production();
        plain["Kestrel:Endpoints:Api:Url"] = $"http://127.0.0.1:{_httpPort}";
        await using (var refused = ServiceBinaryRun.Start(Arguments(plain), _work))
        {
            Assert.Equal(ServiceConfigurationException.ExitCode, await refused.WaitForExitAsync(StartBound));
            Assert.Contains("Kestrel:Endpoints:Api:Url — https:// endpoints only", refused.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Urls —", refused.Stderr, StringComparison.Ordinal);
        }

        var https = Production();
        https.Remove("Urls");
        https["Kestrel:Endpoints:Api:Url"] = $"https://127.0.0.1:{_httpPort}";
        await using var run = ServiceBinaryRun.Start(Arguments(https), _work);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.RawData.AsSpan().SequenceEqual(_tls.RawData) == true,
        };
        await run.WaitUntilHealthyAsync(new Uri($"https://127.0.0.1:{_httpPort}"), handler);
        await run.StopAsync();
        AssertNoSecretIn(run.Output);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Two_of_its_own_listeners_on_one_port_exit_78_naming_both_settings()
    {
        var settings = Development();
        settings["Orleans:GatewayPort"] = settings["Mqtt:TlsPort"];

        await using var run = ServiceBinaryRun.Start(Arguments(settings), _work);
        var exitCode = await run.WaitForExitAsync(StartBound);

        Assert.Equal(ServiceConfigurationException.ExitCode, exitCode);
        Assert.Equal("", run.Stdout);
        var port = settings["Mqtt:TlsPort"];
        Assert.Equal($"iotid-service: two listeners are configured on one port: Mqtt:TlsPort (127.0.0.1:{port}) and Orleans:GatewayPort (127.0.0.1:{port}); give each its own port",
            run.Stderr.Trim());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_listener_on_another_address_with_the_same_port_does_not_stop_the_start()
    {
        var settings = Development();
        var ports = settings.Where(s => s.Key.EndsWith("Port", StringComparison.Ordinal)).Select(s => int.Parse(s.Value, CultureInfo.InvariantCulture)).Append(_httpPort);
        var others = ports.Select(p => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse("127.0.0.2"), p)).ToList();
        others.ForEach(o => o.Start());
        try
        {
            await using var run = ServiceBinaryRun.Start(Arguments(settings), _work);
            using var handler = new HttpClientHandler();
            await run.WaitUntilHealthyAsync(new Uri($"http://127.0.0.1:{_httpPort}"), handler);
        }
        finally
        {
            others.ForEach(o => o.Stop());
        }
    }

    /// <summary>
    /// On one CPU (here <c>taskset</c>; a container with one vCPU) the runtime's own floor is one worker thread, and a
    /// commit waiting for the disk stopped the whole service (BENCHMARKS.md, session 34): the built binary raises it.
    /// </summary>
    [Fact(Timeout = TestTimeout)]
    public async Task On_one_CPU_the_thread_pool_keeps_eight_workers_ready()
    {
        await using var run = ServiceBinaryRun.Start(Arguments(Development()), _work, ["taskset", "-c", "0"]);
        using var handler = new HttpClientHandler();
        await run.WaitUntilHealthyAsync(new Uri($"http://127.0.0.1:{_httpPort}"), handler);
        Assert.Contains($"The thread pool keeps {ThreadPoolFloor.Workers} worker threads ready on 1 CPU(s)", run.Output, StringComparison.Ordinal);
        await run.StopAsync();
    }

    /// <summary>None of the configured secrets, in text, base64 or hex, nor any private key PEM.</summary>
    private void AssertNoSecretIn(string printed)
    {
        foreach (var secret in new[] { Convert.ToBase64String(_kek).TrimEnd('='), Convert.ToHexString(_kek), _adminKeyHash })
            Assert.DoesNotContain(secret, printed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("PRIVATE KEY-----", printed, StringComparison.Ordinal);
    }

    /// <summary>Runs a command in the network namespace of process <paramref name="pid"/>.</summary>
    private static async Task<(int ExitCode, string Output)> InNamespaceAsync(int pid, params string[] command)
    {
        var start = new ProcessStartInfo("nsenter", ["--target", pid.ToString(CultureInfo.InvariantCulture), "--net", "--", .. command])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
