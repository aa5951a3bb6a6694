using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary><c>iotid-agent boot</c>: a virtual device boots a sample release, and its next enrolment carries the measured firmware.</summary>
public sealed class BootTests(RestartableService fixture) : IClassFixture<RestartableService>
{
    [Fact(Timeout = 90_000)]
    public async Task A_booted_sample_release_is_measured_into_the_TPM_and_recorded_at_enrolment()
    {
        await using var device = await AgentHarness.StartAsync(fixture.Service, TimeSpan.FromMinutes(5));
        device.Options.EventLogPath = Path.Combine(device.Directory, "boot", "event-log.bin");
        var group = fixture.Service.Grains.GetGrain<IEnrollmentGroupGrain>($"{device.Tenant.TenantId}/default");
        var policy = (await group.GetPolicyAsync())!;
        await group.SetPolicyAsync(policy with { AllowedFirmware = [FirmwareRelease.From(FirmwareSamplesOnDisk.Manifest("1.0.0"))] });
        var agent = device.NewAgent();

        var booted = await agent.BootAsync(FirmwareSamplesOnDisk.Directory("1.0.0"), CancellationToken.None);
        var identity = await agent.EnrollAsync(null, CancellationToken.None);

        Assert.Equal("acme-sensor 1.0.0", booted);
        Assert.True(File.Exists(device.Options.EventLogPath));
        var record = await fixture.Service.Store.GetDeviceAsync(device.Tenant.TenantId, device.DeviceId);
        Assert.Equal(identity.Metadata.SerialNumber, record!.CertificateSerial);
        Assert.Equal("acme-sensor 1.0.0", record.Firmware);
    }
}
