using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace IoTIdentity.Cluster.Tests;

/// <summary>
/// Mutual TLS between silos (<c>Orleans:Tls:*</c>): two real silos of the service on loopback form a cluster only when
/// both hold a certificate issued by the configured cluster CA; a silo without one — no TLS, a certificate from
/// another CA, a self-signed certificate naming the cluster CA — can neither join nor reach a grain. The certificates
/// <c>deploy/make-secrets.sh</c> writes for the compose cluster form one.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("iotid-cluster-tls-").FullName;
    private readonly (X509Certificate2 Certificate, RSA Key) _clusterCa = CreateCa("CN=iotid cluster CA");

    public void Dispose()
    {
        _clusterCa.Certificate.Dispose();
        _clusterCa.Key.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_silo_holding_a_certificate_of_the_cluster_CA_joins_and_calls_grains_over_mutual_TLS()
    {
        var primaryPort = FreePorts.Next();
        await using var primary = Silo("primary", primaryPort, primaryPort: null, Issue(_clusterCa, "primary"));
        await using var secondary = Silo("secondary", FreePorts.Next(), primaryPort, Issue(_clusterCa, "secondary"));
        await primary.StartAsync();
        await secondary.StartAsync();

        var fromSecondary = secondary.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var hosts = await fromSecondary.GetHosts(onlyActive: true);

        Assert.Equal(2, hosts.Count);
        await secondary.StopAsync();
        await primary.StopAsync();
    }

    [Fact]
    public async Task The_cluster_certificates_make_secrets_writes_let_two_silos_form_a_cluster_and_name_only_their_own_silo()
    {
        var deploy = Path.Combine(_data, "deploy");
        Directory.CreateDirectory(deploy);
        File.Copy(Path.Combine(RepositoryRoot.Find(), "deploy", "make-secrets.sh"), Path.Combine(deploy, "make-secrets.sh"));
        var made = await ProcessRunner.RunAsync("bash", [Path.Combine(deploy, "make-secrets.sh")], TimeSpan.FromMinutes(2));
        Assert.True(made.ExitCode == 0, $"make-secrets.sh failed ({made.ExitCode}; it needs openssl and mosquitto_passwd: scripts/install-deps.sh):\n{made.StandardError}");
        var cluster = Path.Combine(deploy, "secrets", "cluster");
        var ca = Path.Combine(cluster, "ca.crt");
        using var caCertificate = X509CertificateLoader.LoadCertificateFromFile(ca);
        foreach (var name in new[] { "silo1", "silo2", "silo3" })
        {
            using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(cluster, $"{name}.crt"), Path.Combine(cluster, $"{name}.key"));
            Assert.True(ClusterTls.ChainsTo(certificate, caCertificate), $"{name}.crt does not chain to the cluster CA");
            Assert.Equal($"CN={name}", certificate.Subject);
            var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
            Assert.Contains("1.3.6.1.5.5.7.3.1", usages); // serverAuth: it accepts connections
            Assert.Contains("1.3.6.1.5.5.7.3.2", usages); // clientAuth: it opens them
        }

        var primaryPort = FreePorts.Next();
        await using var primary = Silo("primary", primaryPort, primaryPort: null, (Path.Combine(cluster, "silo1.crt"), Path.Combine(cluster, "silo1.key")), ca);
        await using var secondary = Silo("secondary", FreePorts.Next(), primaryPort, (Path.Combine(cluster, "silo2.crt"), Path.Combine(cluster, "silo2.key")), ca);
        await primary.StartAsync();
        await secondary.StartAsync();

        var hosts = await secondary.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        await secondary.StopAsync();
        await primary.StopAsync();
    }

    [Theory]
    [InlineData("no TLS")]
    [InlineData("another CA")]
    [InlineData("self-signed with the cluster CA's name")]
    public async Task A_silo_without_a_certificate_of_the_cluster_CA_cannot_join_or_call_a_grain(string stranger)
    {
        var primaryPort = FreePorts.Next();
        await using var primary = Silo("primary", primaryPort, primaryPort: null, Issue(_clusterCa, "primary"));
        await primary.StartAsync();
        var otherCa = stranger switch
        {
            "another CA" => CreateCa("CN=other CA"),
            "self-signed with the cluster CA's name" => CreateCa(_clusterCa.Certificate.Subject),
            _ => default((X509Certificate2 Certificate, RSA Key)?),
        };
        // The intruder runs as a process of its own, as it would: Orleans leaves a silo whose join failed with its
        // membership loops spinning on every core, and in a test host that goes on they starved the silos of later
        // tests until those were declared dead (a process that failed to start exits instead).
        var intruderSettings = InProcessServiceSettings.For(Path.Combine(_data, "intruder"),
            SiloSettings(FreePorts.Next(), primaryPort, otherCa is { } ca ? Issue(ca, "intruder") : null));
        var (ready, output) = await TryStartServiceProcessAsync(intruderSettings, TimeSpan.FromSeconds(20));

        Assert.False(ready, $"the intruder joined the cluster:\n{output}");
        var hosts = await primary.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0)
            .GetHosts(onlyActive: true);
        Assert.Single(hosts);
        otherCa?.Certificate.Dispose();
        otherCa?.Key.Dispose();
        await primary.StopAsync();
    }

    [Fact]
    public void A_cluster_certificate_without_the_cluster_CA_is_refused_when_the_host_is_built()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build("silo", new()
        {
            ["Orleans:Tls:CertificatePath"] = Issue(_clusterCa, "silo").Certificate,
        }));

        Assert.Contains("Orleans:Tls:CaPath", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Orleans:Tls:CertificatePath", "missing")]
    [InlineData("Orleans:Tls:CertificatePath", "not a certificate")]
    [InlineData("Orleans:Tls:CaPath", "missing")]
    [InlineData("Orleans:Tls:CaPath", "not a certificate")]
    public void An_unusable_cluster_certificate_or_CA_file_is_refused_naming_the_setting(string setting, string problem)
    {
        var (certificate, key) = Issue(_clusterCa, "silo");
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Tls:CertificatePath"] = certificate,
            ["Orleans:Tls:CertificateKeyPath"] = key,
            ["Orleans:Tls:CaPath"] = WritePem("cluster-ca.pem", _clusterCa.Certificate.ExportCertificatePem()),
        };
        settings[setting] = problem == "missing" ? Path.Combine(_data, "absent.pem") : WritePem("garbage.pem", "not a certificate");

        var error = Assert.Throws<InvalidOperationException>(() => Build("silo", settings));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_is_off_unless_a_gateway_port_is_configured()
    {
        await using var silo = Build("silo", new() { ["Orleans:GatewayPort"] = null });

        Assert.Equal(0, silo.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EndpointOptions>>().Value.GatewayPort);
    }

    /// <summary>A silo on localhost clustering (joining <paramref name="primaryPort"/> when given), with TLS from
    /// <paramref name="files"/> when given; it gives up joining after seconds rather than Orleans' minutes.</summary>
    private WebApplication Silo(string name, int siloPort, int? primaryPort, (string Certificate, string Key)? files, string? caPath = null) =>
        Build(name, SiloSettings(siloPort, primaryPort, files, caPath));

    private Dictionary<string, string?> SiloSettings(int siloPort, int? primaryPort, (string Certificate, string Key)? files, string? caPath = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = "tls",
            ["Orleans:Clustering"] = "localhost",
            ["Orleans:SiloPort"] = siloPort.ToString(),
            ["Orleans:PrimarySiloPort"] = (primaryPort ?? siloPort).ToString(),
        };
        if (files is { } tls)
        {
            settings["Orleans:Tls:CertificatePath"] = tls.Certificate;
            settings["Orleans:Tls:CertificateKeyPath"] = tls.Key;
            settings["Orleans:Tls:CaPath"] = caPath ?? WritePem("cluster-ca.pem", _clusterCa.Certificate.ExportCertificatePem());
        }

        return settings;
    }

    private WebApplication Build(string name, Dictionary<string, string?> settings) =>
        ProvisioningHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(InProcessServiceSettings.For(Path.Combine(_data, name), settings));
            builder.Services.Configure<ClusterMembershipOptions>(o => o.MaxJoinAttemptTime = TimeSpan.FromSeconds(10));
            // a TLS handshake on a loaded two-core machine can outlast Orleans' 5-second connection timeout
            builder.Services.Configure<ConnectionOptions>(o => o.OpenConnectionTimeout = TimeSpan.FromSeconds(30));
        }, InProcessSilo.Tolerate);

    /// <summary>
    /// Starts the service binary with <paramref name="settings"/> and waits up to <paramref name="bound"/> for it to
    /// report ready; then stops it. Whether it was ready, and what it printed.
    /// </summary>
    private static async Task<(bool Ready, string Output)> TryStartServiceProcessAsync(Dictionary<string, string?> settings, TimeSpan bound)
    {
        var dll = IoTIdentity.Simulator.Scenarios.ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("iotid-service.dll is not built next to the tests");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            start.ArgumentList.Add($"--{key}");
            start.ArgumentList.Add(value!);
        }

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the service");
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            output.Enqueue(line.Data);
            if (line.Data.StartsWith("[iotid] ready", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) output.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(bound));
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        return (finished == ready.Task, string.Join('\n', output.TakeLast(40)));
    }

    private static (X509Certificate2 Certificate, RSA Key) CreateCa(string subject)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        return (request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)), key);
    }

    /// <summary>A silo certificate issued by <paramref name="ca"/>, written as PEM certificate and key files.</summary>
    private (string Certificate, string Key) Issue((X509Certificate2 Certificate, RSA Key) ca, string silo)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={silo}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(ca.Certificate, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        var prefix = $"{silo}-{Guid.NewGuid():N}";
        return (WritePem($"{prefix}.pem", certificate.ExportCertificatePem()), WritePem($"{prefix}.key", key.ExportPkcs8PrivateKeyPem()));
    }

    private string WritePem(string name, string pem)
    {
        var path = Path.Combine(_data, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
