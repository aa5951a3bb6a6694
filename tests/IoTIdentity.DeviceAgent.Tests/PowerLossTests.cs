using IoTIdentity.Attestation.Keys;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The agent process is killed (SIGKILL, as a power cut) at a named instant of an enrolment or a rotation; after a
/// restart there is exactly one valid identity and the service agrees with it.
/// </summary>
public sealed class PowerLossTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(IdentityCheckpoint.BeforeRequest)]
    [InlineData(IdentityCheckpoint.AfterChallenge)]
    [InlineData(IdentityCheckpoint.AfterIssuance)]
    [InlineData(IdentityCheckpoint.DuringStateWrite)]
    public async Task A_power_cut_during_the_first_enrolment_ends_in_one_identity_the_service_agrees_with(IdentityCheckpoint point)
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);

        await using (var crashing = AgentProcess.Start(device, "run", crashAt: point))
        {
            await crashing.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains($"test crash point {point}", crashing.Output, StringComparison.Ordinal);
        }
        Assert.Null(device.Store.Load());   // nothing half-made counts as an identity

        await using var restarted = AgentProcess.Start(device, "run");
        await AssertOneAgreedIdentityAsync(device, restarted);
    }

    [Theory]
    [InlineData(IdentityCheckpoint.AfterChallenge)]
    [InlineData(IdentityCheckpoint.AfterIssuance)]
    [InlineData(IdentityCheckpoint.DuringStateWrite)]
    public async Task A_power_cut_during_a_rotation_keeps_the_old_identity_until_the_agent_reaches_agreement_again(IdentityCheckpoint point)
    {
        await using var device = await AgentHarness.StartAsync(service, Lifetime);
        await using (var enrol = AgentProcess.Start(device, "enroll"))
            Assert.True(await enrol.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, enrol.Output);
        var old = device.Store.Load()!;

        await using (var crashing = AgentProcess.Start(device, "rotate", crashAt: point))
        {
            await crashing.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains($"test crash point {point}", crashing.Output, StringComparison.Ordinal);
        }
        Assert.Equal(old.Metadata.SerialNumber, device.Store.Load()!.Metadata.SerialNumber);   // the old one, whole

        await using var restarted = AgentProcess.Start(device, "run");
        await AssertOneAgreedIdentityAsync(device, restarted);
    }

    private static async Task AssertOneAgreedIdentityAsync(AgentHarness device, AgentProcess agent)
    {
        await AgentHarness.EventuallyAsync(async () =>
        {
            if (agent.HasExited) Assert.Fail($"the agent exited ({agent.ExitCode}):\n{agent.Output}");
            var stored = device.Store.Load();
            if (stored is null || stored.IsExpired(DateTimeOffset.UtcNow)) return false;
            var view = await device.ServiceViewAsync();
            // the agent prunes generations the pointer no longer names right after moving it: wait for that too
            return view?.CertificateSerial == stored.Metadata.SerialNumber
                && Directory.EnumerateDirectories(device.Options.StateDirectory, "gen-*").Count() == 1;
        }, Lifetime + TimeSpan.FromSeconds(30), "the agent's stored serial is the service's current serial, in the only generation");

        var identity = device.Store.Load()!;
        Assert.Single(Directory.EnumerateDirectories(device.Options.StateDirectory, "gen-*"));
        // no temporary file stays behind; the running daemon may be between writing one and renaming it (its session marker)
        await AgentHarness.EventuallyAsync(() => Task.FromResult(!Directory.EnumerateFiles(device.Options.StateDirectory, "*.tmp").Any()),
            TimeSpan.FromSeconds(10), "no temporary file left in the state directory");
        using var certificate = identity.LoadCertificate();
        Assert.Equal(TpmPublicKeys.SubjectPublicKeyInfo(identity.DeviceKey.Public.Value), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        var output = await RunStatusAsync(device);
        var status = System.Text.Json.JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        Assert.Equal(identity.Metadata.SerialNumber, status.GetProperty("serial").GetString());
    }

    private static async Task<string> RunStatusAsync(AgentHarness device)
    {
        await using var status = AgentProcess.Start(device, "status", null, "--json");
        await status.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return status.Output;
    }
}
