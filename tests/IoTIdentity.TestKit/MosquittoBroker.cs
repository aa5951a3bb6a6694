using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.TestKit;

/// <summary>
/// A real mosquitto on free loopback ports for the external broker mode, running the repository's own configuration
/// (<c>deploy/mosquitto/mosquitto.conf</c> with its paths and ports moved, the ACL files as shipped) and its
/// <c>iotid_device_guard</c> plugin, compiled from <c>deploy/mosquitto/plugin</c> for the run: the certificate
/// listener for devices (<see cref="DevicePort"/>), the enrolment-only listener (<see cref="EnrollmentPort"/>) and the
/// service's password listener (<see cref="ServicePort"/>), with a server certificate from a CA made for the run,
/// a device CA standing in for the tenants' issuing CAs, and a password file made with <c>mosquitto_passwd</c>, all in a
/// temp directory. Without mosquitto, its plugin headers or a C compiler the broker fails and says how to install them.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string ServiceUser = "iotid-service";
    private const string InstallHint =
        "is missing: run scripts/install-deps.sh (or `apt-get install mosquitto mosquitto-dev libmosquitto-dev gcc libc6-dev`).";

    private readonly StringBuilder _log = new();
    private Process? _process;

    private MosquittoBroker(string directory, int devicePort, int enrollmentPort, int servicePort, string servicePassword)
    {
        Directory = directory;
        DevicePort = devicePort;
        EnrollmentPort = enrollmentPort;
        ServicePort = servicePort;
        ServicePassword = servicePassword;
    }

    public string Directory { get; }

    /// <summary>The certificate listener: devices authenticate with a certificate from <see cref="DeviceCaPath"/>.</summary>
    public int DevicePort { get; }

    /// <summary>The enrolment-only listener: anonymous devices, register and attest on their own id.</summary>
    public int EnrollmentPort { get; }

    /// <summary>The service's listener: <see cref="ServiceUser"/> with <see cref="ServicePassword"/>.</summary>
    public int ServicePort { get; }

    public string ServicePassword { get; }

    /// <summary>The PEM of the CA that issued the broker's certificate (what silos and devices trust).</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");
    public X509Certificate2 CaCertificate => X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificatePath));

    /// <summary>The CA the certificate listener accepts device certificates from (the tenants' CAs in a deployment).</summary>
    public string DeviceCaPath => Path.Combine(Directory, "devices-ca.crt");

    /// <summary>What mosquitto printed and logged (its log file is flushed at every line, unlike its piped stdout).</summary>
    public string Log
    {
        get
        {
            var file = Path.Combine(Directory, "mosquitto.log");
            lock (_log) return _log + (File.Exists(file) ? File.ReadAllText(file) : "");
        }
    }

    /// <summary>Writes the configuration and starts the broker; <paramref name="restart"/> reuses a stopped broker's ports and directory.</summary>
    public static async Task<MosquittoBroker> StartAsync(MosquittoBroker? restart = null)
    {
        var mosquitto = ProcessRunner.FindOnPath("mosquitto") ?? (File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : throw Missing("mosquitto"));
        var broker = restart is null
            ? new MosquittoBroker(System.IO.Directory.CreateTempSubdirectory("iotid-mosquitto-").FullName,
                FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)))
            : new MosquittoBroker(restart.Directory, restart.DevicePort, restart.EnrollmentPort, restart.ServicePort, restart.ServicePassword);
        if (restart is null) await broker.WriteConfigurationAsync();
        await broker.RunAsync(mosquitto);
        return broker;
    }

    /// <summary>
    /// A client certificate (with its private key) from the device CA, shaped like the service's device certificates:
    /// O=<paramref name="tenantId"/>, CN=<paramref name="commonName"/> (a device id).
    /// </summary>
    public X509Certificate2 IssueDeviceCertificate(string commonName, string tenantId = "tenant")
    {
        using var ca = X509Certificate2.CreateFromPemFile(DeviceCaPath, Path.Combine(Directory, "devices-ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"O={tenantId}, CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddHours(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        // exported and loaded again: SslStream on Linux needs a certificate whose key it can hand to OpenSSL
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Stops the broker process, keeping its directory (for a restart on the same ports).</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    /// <summary>Deletes the broker's directory (after the last restart is disposed).</summary>
    public void DeleteDirectory()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    private static InvalidOperationException Missing(string what) => new($"{what} {InstallHint}");

    private async Task WriteConfigurationAsync()
    {
        var passwd = ProcessRunner.FindOnPath("mosquitto_passwd") ?? throw Missing("mosquitto_passwd");
        await WriteCertificatesAsync();
        var shippedDirectory = Path.Combine(RepositoryRoot.Find(), "deploy", "mosquitto");
        foreach (var acl in new[] { "acl", "acl-devices", "acl-enrolment" })
            File.Copy(Path.Combine(shippedDirectory, acl), Path.Combine(Directory, acl));
        await CompilePluginAsync(Path.Combine(shippedDirectory, "plugin", "iotid_device_guard.c"));
        var made = await ProcessRunner.RunAsync(passwd, ["-c", "-b", Path.Combine(Directory, "passwords"), ServiceUser, ServicePassword], TimeSpan.FromSeconds(30));
        if (made.ExitCode != 0) throw new InvalidOperationException($"mosquitto_passwd failed ({made.ExitCode}): {made.StandardError}");
        // the shipped configuration, moved from the container's paths into this directory and onto loopback ports
        var shipped = await File.ReadAllTextAsync(Path.Combine(shippedDirectory, "mosquitto.conf"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        var configuration = shipped
            .Replace("\nlistener 8883\n", $"\nlistener {DevicePort} 127.0.0.1\n", StringComparison.Ordinal)
            .Replace("\nlistener 8884\n", $"\nlistener {EnrollmentPort} 127.0.0.1\n", StringComparison.Ordinal)
            .Replace("\nlistener 8885\n", $"\nlistener {ServicePort} 127.0.0.1\n", StringComparison.Ordinal)
            .Replace("/mosquitto/certs/", Directory + "/", StringComparison.Ordinal)
            .Replace("/mosquitto/config/", Directory + "/", StringComparison.Ordinal)
            .Replace("/mosquitto/plugins/", Directory + "/", StringComparison.Ordinal)
            .Replace("/mosquitto/data/", Path.Combine(Directory, "data") + "/", StringComparison.Ordinal);
        if (new[] { DevicePort, EnrollmentPort, ServicePort }.Any(port => !configuration.Contains($"listener {port} 127.0.0.1", StringComparison.Ordinal))
            || configuration.Contains("/mosquitto/", StringComparison.Ordinal))
            throw new InvalidOperationException("deploy/mosquitto/mosquitto.conf no longer has the listeners and paths this fixture moves");
        var runAsRoot = Environment.UserName == "root" ? "user root\n" : "";
        await File.WriteAllTextAsync(Path.Combine(Directory, "mosquitto.conf"), runAsRoot + configuration + $"log_type all\nlog_dest file {Path.Combine(Directory, "mosquitto.log")}\n");
    }

    private async Task WriteCertificatesAsync()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var deviceCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        using var ca = CreateCa("CN=iotid test broker CA", caKey, now);
        using var deviceCa = CreateCa("O=tenant, CN=iotid test device CA", deviceCaKey, now);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        await File.WriteAllTextAsync(CaCertificatePath, ca.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(Directory, "server.crt"), server.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(Directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(DeviceCaPath, deviceCa.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(Directory, "devices-ca.key"), deviceCaKey.ExportPkcs8PrivateKeyPem());
    }

    private static X509Certificate2 CreateCa(string subject, ECDsa key, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    private async Task CompilePluginAsync(string source)
    {
        var compiler = ProcessRunner.FindOnPath("gcc") ?? ProcessRunner.FindOnPath("cc") ?? throw Missing("a C compiler (gcc)");
        if (!File.Exists("/usr/include/mosquitto_plugin.h") || !File.Exists("/usr/include/mosquitto.h"))
            throw Missing("mosquitto's plugin headers (mosquitto-dev, libmosquitto-dev)");
        var built = await ProcessRunner.RunAsync(compiler,
            ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-fPIC", "-o", Path.Combine(Directory, "iotid_device_guard.so"), source],
            TimeSpan.FromSeconds(60));
        if (built.ExitCode != 0) throw new InvalidOperationException($"compiling {source} failed ({built.ExitCode}): {built.StandardError}");
    }

    private async Task RunAsync(string mosquitto)
    {
        var start = new ProcessStartInfo(mosquitto)
        {
            ArgumentList = { "-c", Path.Combine(Directory, "mosquitto.conf") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (_log) _log.AppendLine(line); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (_log) _log.AppendLine(line); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited ({_process.ExitCode}):\n{Log}");
            try
            {
                foreach (var port in new[] { DevicePort, EnrollmentPort, ServicePort })
                {
                    using var probe = new System.Net.Sockets.TcpClient();
                    await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                }
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
