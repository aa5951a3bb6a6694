using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>The swtpm fixture itself: provisioning, the run's manufacturer CA, and tpm2-tools interop.</summary>
public sealed class SwtpmFixtureTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task EK_certificates_chain_to_the_run_local_manufacturer_root()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        using var root = swtpm.ManufacturerCa.Root;
        using var intermediate = swtpm.ManufacturerCa.Intermediate;

        foreach (var der in new[] { swtpm.RsaEkCertificateDer, swtpm.EccEkCertificateDer })
        {
            using var ek = X509CertificateLoader.LoadCertificate(der);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.ExtraStore.Add(intermediate);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // EK certificates carry a critical SAN of TPM attributes .NET does not understand, and the
            // TCG EK EKU; only the signatures and the path matter here.
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage;

            var built = chain.Build(ek);

            var statuses = chain.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.HasNotSupportedCriticalExtension).ToList();
            Assert.True(built || statuses.Count == 0, string.Join("; ", statuses.Select(s => s.StatusInformation)));
            Assert.Equal(3, chain.ChainElements.Count);
            Assert.Equal("CN=swtpm-localca-rootca", chain.ChainElements[2].Certificate.Subject);
        }
    }

    [Fact]
    public async Task Template_copies_share_an_EK_and_fresh_provisioning_makes_a_new_one()
    {
        await using var first = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await using var second = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await using var fresh = await SwtpmProcess.StartAsync(new SwtpmOptions { FreshEndorsementKey = true }, Timeout);

        Assert.Equal(first.RsaEkCertificateDer, second.RsaEkCertificateDer);
        Assert.NotEqual(first.RsaEkCertificateDer, fresh.RsaEkCertificateDer);
        Assert.NotEqual(first.StateDirectory, second.StateDirectory);
        Assert.NotEqual(first.DataPort, second.DataPort);
        Assert.True(fresh.HasOwnEndorsementKey);
        Assert.Equal(first.ManufacturerCa.RootDer, fresh.ManufacturerCa.RootDer);
    }

    [Fact]
    public async Task When_one_of_several_starts_fails_the_swtpms_that_did_start_are_stopped()
    {
        var directory = Directory.CreateTempSubdirectory("iotid-startall-").FullName;
        try
        {
            var kept = Path.Combine(directory, "kept");
            var blocked = Path.Combine(directory, "blocked");
            await File.WriteAllTextAsync(blocked, "a file where the swtpm's state directory should go");

            await Assert.ThrowsAnyAsync<Exception>(() => SwtpmProcess.StartAllAsync(
                [new SwtpmOptions { PersistentDirectory = kept }, new SwtpmOptions { PersistentDirectory = blocked }], Timeout));

            Assert.DoesNotContain(System.Diagnostics.Process.GetProcessesByName("swtpm"), p => CommandLine(p).Contains(kept, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string CommandLine(System.Diagnostics.Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return ""; // it exited meanwhile
        }
    }

    [Fact]
    public async Task Disposing_the_fixture_kills_swtpm_and_deletes_its_state()
    {
        var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        using var process = System.Diagnostics.Process.GetProcessById(swtpm.ProcessId);
        var state = swtpm.StateDirectory;

        await swtpm.DisposeAsync();

        Assert.True(process.HasExited);
        Assert.False(Directory.Exists(state));
    }

    [Fact]
    public async Task Tpm2_tools_reach_the_fixture_through_its_TCTI()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await swtpm.ReleaseTransportAsync();

        var result = await swtpm.TpmTools.RunAsync("tpm2_getrandom", ["--hex", "8"], cancellationToken: Timeout);

        result.EnsureSuccess("tpm2_getrandom");
        Assert.Matches("^[0-9a-f]{16}$", result.StandardOutput.Trim());
        Assert.Equal($"swtpm:host=127.0.0.1,port={swtpm.DataPort}", swtpm.TpmTools.Tcti);
    }
}
