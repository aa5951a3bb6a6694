using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.TestKit;

/// <summary>
/// A real mosquitto on a free loopback port for the external broker mode, running the repository's own
/// configuration and ACL (<c>deploy/mosquitto/mosquitto.conf</c> with its paths moved, and <c>acl</c> as shipped): a TLS
/// listener with a certificate from a CA made for the run and a password file made with <c>mosquitto_passwd</c> for
/// the service user, all in a temp directory. Without mosquitto the broker fails and
/// says how to install it.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string ServiceUser = "iotid-service";
    private const string InstallHint = "mosquitto is missing: run scripts/install-deps.sh (or `apt-get install mosquitto`).";

    private readonly StringBuilder _log = new();
    private Process? _process;

    private MosquittoBroker(string directory, int port, string servicePassword)
    {
        Directory = directory;
        Port = port;
        ServicePassword = servicePassword;
    }

    public string Directory { get; }
    public int Port { get; }
    public string ServicePassword { get; }

    /// <summary>The PEM of the CA that issued the broker's certificate (what silos and devices trust).</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");
    public X509Certificate2 CaCertificate => X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificatePath));

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Writes the configuration and starts the broker; <paramref name="port"/> reuses a port (restart).</summary>
    public static async Task<MosquittoBroker> StartAsync(int? port = null, string? directory = null)
    {
        var mosquitto = ProcessRunner.FindOnPath("mosquitto") ?? (File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : throw new InvalidOperationException(InstallHint));
        var passwd = ProcessRunner.FindOnPath("mosquitto_passwd") ?? throw new InvalidOperationException(InstallHint);
        var broker = new MosquittoBroker(directory ?? System.IO.Directory.CreateTempSubdirectory("iotid-mosquitto-").FullName,
            port ?? FreePorts.Next(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        if (directory is null) await broker.WriteConfigurationAsync(passwd);
        await broker.RunAsync(mosquitto);
        return broker;
    }

    /// <summary>Stops the broker process, keeping its directory (for a restart on the same port).</summary>
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

    private async Task WriteConfigurationAsync(string passwd)
    {
        using (var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        using (var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var now = DateTimeOffset.UtcNow;
            var caRequest = new CertificateRequest("CN=iotid test broker CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
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
        }
        File.Copy(Path.Combine(RepositoryRoot.Find(), "deploy", "mosquitto", "acl"), Path.Combine(Directory, "acl"));
        var made = await ProcessRunner.RunAsync(passwd, ["-c", "-b", Path.Combine(Directory, "passwords"), ServiceUser, ServicePassword], TimeSpan.FromSeconds(30));
        if (made.ExitCode != 0) throw new InvalidOperationException($"mosquitto_passwd failed ({made.ExitCode}): {made.StandardError}");
        // the shipped configuration, moved from the container's paths into this directory and onto a loopback port
        var shipped = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "deploy", "mosquitto", "mosquitto.conf"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        var configuration = shipped
            .Replace("\nlistener 8883\n", $"\nlistener {Port} 127.0.0.1\n", StringComparison.Ordinal)
            .Replace("/mosquitto/certs/", Directory + "/", StringComparison.Ordinal)
            .Replace("/mosquitto/config/", Directory + "/", StringComparison.Ordinal)
            .Replace("/mosquitto/data/", Path.Combine(Directory, "data") + "/", StringComparison.Ordinal);
        if (!configuration.Contains($"listener {Port} 127.0.0.1", StringComparison.Ordinal) || configuration.Contains("/mosquitto/", StringComparison.Ordinal))
            throw new InvalidOperationException("deploy/mosquitto/mosquitto.conf no longer has the listener and paths this fixture moves");
        var runAsRoot = Environment.UserName == "root" ? "user root\n" : "";
        await File.WriteAllTextAsync(Path.Combine(Directory, "mosquitto.conf"), runAsRoot + configuration + "log_type all\n");
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
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
