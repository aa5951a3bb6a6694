using System.Text.Json;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// What applications rely on: <c>--exec</c> runs after each new certificate, and the paths it is given stay valid
/// across rotations; the EK intermediates come from the TPM's NV chain when no file names them.
/// </summary>
public sealed class RenewalHookTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task The_exec_hook_runs_after_each_new_certificate_with_the_stable_paths()
    {
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(5));
        var record = Path.Combine(device.Directory, "hook.txt");
        var hook = $"echo \"$IOTID_SERIAL $IOTID_CERT $IOTID_CHAIN $IOTID_KEY\" >> '{record}'";

        foreach (var verb in new[] { "enroll", "rotate" })
        {
            var (code, output) = await ExitCodeTests.RunAsync(device.Directory, device.Options, verb, "--exec", hook);
            Assert.True(code == 0, output);
        }

        var lines = (await File.ReadAllLinesAsync(record)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(2, lines.Count);
        Assert.NotEqual(lines[0][0], lines[1][0]);   // a new serial each time
        var current = device.Store.Load()!;
        Assert.Equal(current.Metadata.SerialNumber, lines[1][0]);
        Assert.Equal(device.Store.StablePath(IdentityStore.CertificateFile), lines[0][1]);   // the same path both times
        Assert.Equal(lines[0][1..], lines[1][1..]);
        using var certificate = current.LoadCertificate();
        Assert.Equal(certificate.ExportCertificatePem() + "\n", await File.ReadAllTextAsync(lines[1][1]));
        Assert.Equal(device.Store.StablePath(IdentityStore.KeyFile), lines[1][3]);
    }

    [Fact]
    public async Task Without_an_intermediates_file_the_agent_sends_the_chain_the_TPM_stores_in_NV()
    {
        await using var device = await AgentHarness.StartAsync(service, TimeSpan.FromMinutes(5));
        var options = JsonSerializer.Deserialize<AgentOptions>(JsonSerializer.Serialize(device.Options))!;
        options.EkIntermediatesPath = null;

        // no file, nothing in NV: the service cannot chain the EK certificate to the manufacturer root
        var (refused, refusal) = await ExitCodeTests.RunAsync(device.Directory, options, "enroll");
        Assert.True(refused == (int)AgentExitCode.Refused, refusal);
        Assert.Contains("UntrustedEkCertificate", refusal, StringComparison.Ordinal);

        // the manufacturer's way, as README's recipe does it: the intermediate in the EK certificate chain NV range
        var intermediate = Path.Combine(device.Directory, "issuercert.pem");
        await File.WriteAllTextAsync(intermediate, IdentityStore.CertificatePem([device.Swtpm.ManufacturerCa.IntermediateDer]));
        var (stored, recipe) = await ReadmeRecipes.RunAsync("ek-intermediates-in-nv", device.Directory,
            new Dictionary<string, string> { ["TPM2TOOLS_TCTI"] = device.Swtpm.TpmTools.Tcti, ["INTERMEDIATE"] = intermediate });
        Assert.True(stored == 0, recipe);

        var (code, output) = await ExitCodeTests.RunAsync(device.Directory, options, "enroll");

        Assert.True(code == 0, output);
        Assert.Equal("enrolled", device.NewAgent().Status().Condition);
    }
}
