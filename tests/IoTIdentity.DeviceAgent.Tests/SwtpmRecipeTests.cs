using System.Security.Cryptography.X509Certificates;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// README's way to a software TPM that looks manufactured, run exactly as written: swtpm_setup writes EK certificates
/// from swtpm_localca, the intermediate goes into NV, and the agent enrols reading the chain from the TPM alone.
/// </summary>
public sealed class SwtpmRecipeTests(ServiceFixture service) : IClassFixture<ServiceFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-recipe-").FullName;

    public void Dispose()
    {
        var pid = Path.Combine(_directory, "swtpm", "swtpm.pid");
        if (File.Exists(pid) && int.TryParse(File.ReadAllText(pid).Trim(), out var id))
        {
            try { System.Diagnostics.Process.GetProcessById(id).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_swtpm_provisioned_by_the_README_recipes_enrols_with_the_intermediate_read_from_its_NV()
    {
        SwtpmTools.RequireAll();
        var tpm = Path.Combine(_directory, "swtpm");
        var port = FreePorts.NextPair();   // the recipe's swtpm listens on port and port + 1

        var (made, setup) = await ReadmeRecipes.RunAsync("swtpm-with-an-ek-certificate", _directory,
            new Dictionary<string, string> { ["TPMDIR"] = tpm, ["SWTPM_PORT"] = $"{port}" });
        Assert.True(made == 0, setup);
        var (stored, nv) = await ReadmeRecipes.RunAsync("ek-intermediates-in-nv", _directory, new Dictionary<string, string>
        {
            ["TPM2TOOLS_TCTI"] = $"swtpm:host=127.0.0.1,port={port}", ["INTERMEDIATE"] = Path.Combine(tpm, "ca", "issuercert.pem"),
        });
        Assert.True(stored == 0, nv);

        // the operator's part: a tenant whose group trusts swtpm_localca's root, as the recipe's text says
        using var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(tpm, "ca", "swtpm-localca-rootca-cert.pem")));
        var tenant = await service.CreateTenantAsync($"r-{Guid.NewGuid():N}"[..20], [root.RawData]);
        var trust = Path.Combine(_directory, "mqtt-trust.pem");
        await File.WriteAllTextAsync(trust, IdentityStore.CertificatePem([service.MqttTrustAnchor.RawData]));
        var options = new AgentOptions
        {
            Tpm = $"swtpm://127.0.0.1:{port}", Ek = "rsa", EkIntermediatesPath = null, EnrollmentScope = tenant.TenantId,
            BrokerHost = "127.0.0.1", BrokerPort = service.Mqtt.TlsPort, TrustAnchorPath = trust,
            StateDirectory = Path.Combine(_directory, "state"), RequestTimeout = TimeSpan.FromSeconds(30),
        };

        var (code, output) = await ExitCodeTests.RunAsync(_directory, options, "enroll");

        Assert.True(code == 0, output);
        var identity = new IdentityStore(options.StateDirectory).Load()!;
        Assert.Equal(tenant.TenantId, identity.Metadata.Owner);
    }
}
