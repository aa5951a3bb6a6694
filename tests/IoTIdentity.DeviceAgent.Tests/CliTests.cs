using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>The built iotid-agent's verbs that need no TPM: status and reset.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-agent-cli-").FullName;
    private AgentOptions Options => new() { StateDirectory = Path.Combine(_directory, "state"), Tpm = "swtpm://127.0.0.1:1" };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private StoredIdentity Enrolled()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=device-under-test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var sample = StateTests.Sample("0a1b");
        var identity = sample with { Metadata = sample.Metadata with { CertificateChain = [certificate.RawData, certificate.RawData] } };
        new IdentityStore(Options.StateDirectory).Save(identity);
        return identity;
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        await using var agent = AgentProcess.Start(_directory, Options, args[0], null, args[1..]);
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, agent.Output);
    }

    [Fact]
    public async Task Status_shows_the_device_owner_certificate_and_renewal_in_words()
    {
        var identity = Enrolled();

        var (code, output) = await RunAsync("status");

        Assert.Equal(0, code);
        Assert.Contains($"Device id:        {identity.Metadata.DeviceId}", output, StringComparison.Ordinal);
        Assert.Contains("Owner:            tenant", output, StringComparison.Ordinal);
        Assert.Contains("CN=device-under-test", output, StringComparison.Ordinal);
        Assert.Contains("Serial:           0a1b", output, StringComparison.Ordinal);
        Assert.Contains("Next renewal:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_without_an_identity_says_not_enrolled()
    {
        var (code, output) = await RunAsync("status", "--json");

        Assert.Equal(0, code);
        Assert.Contains("\"enrolled\": false", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_asks_for_confirmation_and_with_yes_forgets_the_identity()
    {
        Enrolled();

        var (declined, _) = await RunAsync("reset");   // stdin is empty: no confirmation
        Assert.Equal(1, declined);
        Assert.NotNull(new IdentityStore(Options.StateDirectory).Load());

        var (code, output) = await RunAsync("reset", "--yes");
        Assert.Equal(0, code);
        Assert.Contains("The local identity is gone.", output, StringComparison.Ordinal);
        Assert.Null(new IdentityStore(Options.StateDirectory).Load());
        Assert.Empty(Directory.EnumerateDirectories(Options.StateDirectory, "gen-*"));
    }
}
