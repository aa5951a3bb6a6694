using System.Net;
using System.Net.Http.Json;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Api;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Measured boot end to end: a swtpm device boots a sample release (real PCR_Extend into PCRs 0–7, a fresh swtpm per
/// test since PCRs accumulate), sends its event log, and the service admits exactly the releases its policy allows.
/// </summary>
public sealed class FirmwareEndToEndTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{

    private Task<TestTenant> NewTenantAsync(params string[] allowed) =>
        service.CreateTenantAsync($"fw-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer],
            p => p with { AllowedFirmware = [.. allowed.Select(v => FirmwareRelease.From(FirmwareSamplesOnDisk.Manifest(v)))] });

    /// <summary>A client of the service's endpoint with the device library's default request timeout.</summary>
    private Task<EnrollmentClient> ConnectAsync(string deviceId) => service.ConnectAsync(deviceId, new EnrollmentClientOptions().RequestTimeout);

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public async Task A_device_booting_an_allowed_release_enrols_and_its_firmware_is_recorded(string version)
    {
        var tenant = await NewTenantAsync("1.0.0", "1.1.0");
        var log = await FirmwareSamplesOnDisk.BootAsync(Tpm, version);
        var enrollment = new TpmEnrollment(Tpm, (await VirtualDevices.ManufactureAsync(Tpm, Manufacturer)) with { EventLog = log });
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await ConnectAsync(deviceId);

        await enrollment.EnrollAsync(client);

        var view = await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
        Assert.Equal($"acme-sensor {version}", view!.Firmware);
        Assert.True(view.Compliant);
        Assert.Equal(FirmwareSamplesOnDisk.Manifest(version).ExpectedPcrs[4], view.Pcrs![4]);
        var inventory = await tenant.Http.GetFromJsonAsync<DevicePage>("/api/v1/devices?compliant=true");
        Assert.Equal($"acme-sensor {version}", inventory!.Items.Single(d => d.DeviceId == deviceId).Firmware);
    }

    [Fact]
    public async Task A_device_booting_the_tampered_release_is_refused_with_MeasurementNotAllowed()
    {
        await NewTenantAsync("1.0.0", "1.1.0");
        var log = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0-tampered");
        var enrollment = new TpmEnrollment(Tpm, (await VirtualDevices.ManufactureAsync(Tpm, Manufacturer)) with { EventLog = log });
        await using var client = await ConnectAsync(await enrollment.ReadDeviceIdAsync());

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.EnrollAsync(client));

        Assert.Equal(ProvisioningError.MeasurementNotAllowed, refusal.Error);
    }

    [Fact]
    public async Task A_log_that_does_not_replay_to_the_quoted_PCRs_is_refused_with_EventLogMismatch()
    {
        await NewTenantAsync("1.0.0", "1.1.0");
        await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0-tampered");
        // the device claims 1.0.0: a log written without extending anything, with 1.0.0's digests
        var manifest = FirmwareSamplesOnDisk.Manifest("1.0.0");
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        foreach (var c in manifest.Components)
            writer.AddDigests(c.Pcr, (TcgEventType)c.EventType, [new(TpmAlgId.Sha256, Convert.FromHexString(c.Sha256))], System.Text.Encoding.UTF8.GetBytes(c.Name));
        var enrollment = new TpmEnrollment(Tpm, (await VirtualDevices.ManufactureAsync(Tpm, Manufacturer)) with { EventLog = writer.ToArray() });
        await using var client = await ConnectAsync(await enrollment.ReadDeviceIdAsync());

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.EnrollAsync(client));

        Assert.Equal(ProvisioningError.EventLogMismatch, refusal.Error);
    }

    [Fact]
    public async Task A_device_without_an_event_log_is_refused_with_EventLogMismatch_when_the_policy_lists_releases()
    {
        await NewTenantAsync("1.0.0");
        await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0");
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        await using var client = await ConnectAsync(await enrollment.ReadDeviceIdAsync());

        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.EnrollAsync(client));

        Assert.Equal(ProvisioningError.EventLogMismatch, refusal.Error);
    }

    [Fact]
    public async Task A_device_on_a_disallowed_release_is_refused_renewal_and_listed_non_compliant_until_it_updates()
    {
        var tenant = await NewTenantAsync("1.0.0", "1.1.0");
        var device = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var enrollment = new TpmEnrollment(Tpm, device with { EventLog = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0") });
        var deviceId = await enrollment.ReadDeviceIdAsync();
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await ConnectAsync(deviceId)) enrolled = await enrollment.EnrollAsync(enrolmentOnly);
        await using var client = await service.ConnectAuthenticatedAsync(enrollment, enrolled, new EnrollmentClientOptions().RequestTimeout);

        // the owner withdraws 1.0.0 through the API
        var group = await tenant.Http.GetFromJsonAsync<EnrollmentGroup>("/api/v1/enrollment-groups/default");
        var put = await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default",
            group! with { AllowedFirmware = [FirmwareSamplesOnDisk.ManifestJson("1.1.0")] });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(["1.1.0"], (await put.Content.ReadFromJsonAsync<EnrollmentGroup>())!.AllowedFirmware.Select(r => r.GetProperty("version").GetString()));

        // the inventory follows the policy at once
        var listed = await tenant.Http.GetFromJsonAsync<DevicePage>("/api/v1/devices?compliant=false");
        Assert.Equal("acme-sensor 1.0.0", listed!.Items.Single(d => d.DeviceId == deviceId).Firmware);
        Assert.False((await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}"))!.Compliant);

        // and the device cannot renew on 1.0.0
        var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber));
        Assert.Equal(ProvisioningError.MeasurementNotAllowed, refusal.Error);
        var nonCompliant = await tenant.Http.GetFromJsonAsync<DevicePage>("/api/v1/devices?compliant=false");
        Assert.Equal("acme-sensor 1.0.0", nonCompliant!.Items.Single(d => d.DeviceId == deviceId).Firmware);

        // the device updates: reboot (PCRs 0-15 reset, same EK) and measure 1.1.0
        await FirmwareSamplesOnDisk.RebootAsync(Swtpm, Tpm);
        var updated = new TpmEnrollment(Tpm, device with { EventLog = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.1.0") });
        Assert.Equal(deviceId, await updated.ReadDeviceIdAsync());
        var renewed = await updated.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);

        Assert.NotEqual(enrolled.Issued.SerialNumber, renewed.Issued.SerialNumber);
        var view = await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
        Assert.Equal("acme-sensor 1.1.0", view!.Firmware);
        Assert.True(view.Compliant);
        Assert.DoesNotContain((await tenant.Http.GetFromJsonAsync<DevicePage>("/api/v1/devices?compliant=false"))!.Items, d => d.DeviceId == deviceId);
    }

    [Fact]
    public async Task Allowing_a_release_again_makes_its_devices_compliant_again()
    {
        var tenant = await NewTenantAsync("1.0.0");
        var enrollment = new TpmEnrollment(Tpm, (await VirtualDevices.ManufactureAsync(Tpm, Manufacturer)) with { EventLog = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0") });
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await ConnectAsync(deviceId);
        await enrollment.EnrollAsync(client);
        var group = await tenant.Http.GetFromJsonAsync<EnrollmentGroup>("/api/v1/enrollment-groups/default");

        await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default", group! with { AllowedFirmware = [FirmwareSamplesOnDisk.ManifestJson("1.1.0")] });
        var withdrawn = (await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}"))!.Compliant;
        await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default",
            group with { AllowedFirmware = [FirmwareSamplesOnDisk.ManifestJson("1.0.0"), FirmwareSamplesOnDisk.ManifestJson("1.1.0")] });

        Assert.False(withdrawn);
        Assert.True((await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}"))!.Compliant);
        Assert.Contains((await tenant.Http.GetFromJsonAsync<DevicePage>("/api/v1/devices?compliant=true"))!.Items, d => d.DeviceId == deviceId);
    }

    [Fact]
    public async Task Requiring_measured_boot_later_lists_a_device_that_proved_no_release_as_non_compliant()
    {
        var tenant = await NewTenantAsync();
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await ConnectAsync(deviceId);
        await enrollment.EnrollAsync(client);
        var group = await tenant.Http.GetFromJsonAsync<EnrollmentGroup>("/api/v1/enrollment-groups/default");

        await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default", group! with { AllowedFirmware = [FirmwareSamplesOnDisk.ManifestJson("1.1.0")] });
        var required = (await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}"))!;
        await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default", group with { AllowedFirmware = [] });

        Assert.Null(required.Firmware);
        Assert.False(required.Compliant);
        Assert.True((await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}"))!.Compliant);
    }

    [Fact]
    public async Task A_group_whose_releases_measure_an_unquoted_PCR_is_refused_by_the_API()
    {
        var tenant = await NewTenantAsync();
        var group = await tenant.Http.GetFromJsonAsync<EnrollmentGroup>("/api/v1/enrollment-groups/default");

        var put = await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default",
            group! with { PcrIndices = [0, 1, 2, 3], AllowedFirmware = [FirmwareSamplesOnDisk.ManifestJson("1.1.0")] });

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }
}
