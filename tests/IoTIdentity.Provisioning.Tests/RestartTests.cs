using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// What a device was given survives the service: stop the whole host (silo, MQTT endpoint, HTTP API) and start it
/// again on the same SQLite file. Each test owns its service, since it restarts it.
/// </summary>
public sealed class RestartTests : SwtpmBench
{
    private readonly ServiceFixture _service = new();

    public override async Task InitializeAsync()
    {
        await _service.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact(Timeout = 90_000)]
    public async Task An_enrolled_device_is_still_active_after_a_restart_and_renews_with_its_current_device_key()
    {
        var tenant = await _service.CreateTenantAsync("restart", [Manufacturer.RootDer]);
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        EnrollmentResult enrolled;
        await using (var client = await _service.ConnectAsync(deviceId))
            enrolled = await enrollment.EnrollAsync(client);

        await _service.RestartAsync();

        using (var http = tenant.Http)
        {
            var view = await http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
            Assert.Equal(DeviceStatus.Active, view!.Status);
            Assert.Equal(enrolled.Issued.SerialNumber, view.CertificateSerial);
        }
        EnrollmentResult renewed;
        await using (var client = await _service.ConnectAuthenticatedAsync(enrollment, enrolled))
            renewed = await enrollment.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);

        Assert.NotEqual(enrolled.Issued.SerialNumber, renewed.Issued.SerialNumber);
        using (var http = tenant.Http)
        {
            var view = await http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
            Assert.Equal(DeviceStatus.Active, view!.Status);
            Assert.Equal(renewed.Issued.SerialNumber, view.CertificateSerial);
            Assert.Equal([enrolled.Issued.SerialNumber], view.PastSerials);
        }
        var record = await _service.Store.GetDeviceAsync(tenant.TenantId, deviceId);
        Assert.Equal(renewed.Issued.SerialNumber, record!.CertificateSerial);
        Assert.True((await _service.Store.VerifyAuditChainAsync(tenant.TenantId)).IsValid);
    }
}
