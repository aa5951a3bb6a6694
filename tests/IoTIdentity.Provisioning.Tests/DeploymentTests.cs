using System.Text.RegularExpressions;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>The repository's <c>docker-compose.yml</c> as Docker Compose reads it (there is no Docker engine here: it is checked, not run).</summary>
public sealed class DeploymentTests
{
    private const string InstallHint = "docker-compose is missing: run scripts/install-deps.sh (or `apt-get install docker-compose`).";

    [Fact]
    public async Task The_compose_file_passes_docker_compose_config()
    {
        var result = await ComposeAsync("config", "--quiet");

        Assert.True(result.ExitCode == 0, $"docker-compose config failed ({result.ExitCode}):\n{result.StandardError}");
    }

    [Fact]
    public async Task The_compose_file_runs_the_emulator_the_broker_three_silos_and_the_simulator()
    {
        var result = await ComposeAsync("config", "--services");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["cosmos", "mosquitto", "silo1", "silo2", "silo3", "simulator"],
            result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
    }

    [Fact]
    public async Task Every_silo_attaches_to_the_broker_clusters_on_cosmos_and_reads_the_shared_key_from_a_secret()
    {
        var result = await ComposeAsync("config");

        Assert.Equal(0, result.ExitCode);
        // each service block: from "  siloN:" to the next line indented by two spaces
        var silos = Regex.Matches(result.StandardOutput, @"^  silo\d:\n(?:(?:    .*)?\n)*", RegexOptions.Multiline).Select(m => m.Value).ToList();
        Assert.Equal(3, silos.Count);
        Assert.All(silos, silo =>
        {
            Assert.Contains("Mqtt__Mode: external", silo, StringComparison.Ordinal);
            Assert.Contains("Orleans__Clustering: cosmos", silo, StringComparison.Ordinal);
            Assert.Contains("Storage__Provider: cosmos", silo, StringComparison.Ordinal);
            Assert.Contains("Provisioning__KeyEncryption__Current__KeyId: compose-1", silo, StringComparison.Ordinal);
            Assert.Contains("iotid_kek", silo, StringComparison.Ordinal);
            Assert.Contains("/healthz", silo, StringComparison.Ordinal);
        });
        Assert.Equal(3, silos.Select(s => s.Split("Mqtt__External__ClientId: ")[1].Split('\n')[0]).Distinct().Count());
    }

    [Fact]
    public async Task Every_silo_talks_to_the_others_over_mutual_TLS_with_a_cluster_certificate_of_its_own()
    {
        var result = await ComposeAsync("config");

        Assert.Equal(0, result.ExitCode);
        var silos = Regex.Matches(result.StandardOutput, @"^  (silo\d):\n((?:(?:    .*)?\n)*)", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(3, silos.Count);
        foreach (var (name, silo) in silos)
        {
            Assert.Contains("Orleans__Tls__CertificatePath: /run/secrets/cluster-silo.crt", silo, StringComparison.Ordinal);
            Assert.Contains("Orleans__Tls__CertificateKeyPath: /run/secrets/cluster-silo.key", silo, StringComparison.Ordinal);
            Assert.Contains("Orleans__Tls__CaPath: /run/secrets/cluster-ca.crt", silo, StringComparison.Ordinal);
            Assert.Matches($@"- source: {name}_cluster_certificate\n\s+target: cluster-silo.crt", silo);
            Assert.Matches($@"- source: {name}_cluster_key\n\s+target: cluster-silo.key", silo);
            Assert.Matches(@"- source: cluster_ca\n\s+target: cluster-ca.crt", silo);
            Assert.DoesNotMatch(@"source: silo\d_cluster", Regex.Replace(silo, $@"source: {name}_cluster", ""));
        }
        // the cluster CA's key stays with whoever runs make-secrets.sh: no service is given it
        Assert.DoesNotContain("ca.key", result.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<ProcessResult> ComposeAsync(params string[] arguments)
    {
        var compose = ProcessRunner.FindOnPath("docker-compose") ?? throw new InvalidOperationException(InstallHint);
        var root = RepositoryRoot.Find();
        return await ProcessRunner.RunAsync(compose, ["-f", Path.Combine(root, "docker-compose.yml"), "--project-directory", root, .. arguments],
            TimeSpan.FromSeconds(60));
    }
}
