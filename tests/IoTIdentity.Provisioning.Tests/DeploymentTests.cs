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

    private static async Task<ProcessResult> ComposeAsync(params string[] arguments)
    {
        var compose = ProcessRunner.FindOnPath("docker-compose") ?? throw new InvalidOperationException(InstallHint);
        var root = RepositoryRoot.Find();
        return await ProcessRunner.RunAsync(compose, ["-f", Path.Combine(root, "docker-compose.yml"), "--project-directory", root, .. arguments],
            TimeSpan.FromSeconds(60));
    }
}
