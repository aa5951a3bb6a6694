using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Two silos in one cluster (localhost clustering, the second joining the first; one SQLite file and one dev KEK):
/// a command sent by one silo reaches the device connected to the other silo's embedded broker, and revoking
/// through one silo's API closes the device's session there; a device on its authenticated session at the other
/// silo is disconnected too, and that silo's CRL view — told by the tenant grain, not re-read — refuses its
/// certificate from then on.
/// </summary>
public sealed class ClusterRevocationTests(TwoSilos silos) : IClassFixture<TwoSilos>
{
    private const int TestTimeout = 180_000;

    private ServiceFixture Primary => silos.First;

    [Fact(Timeout = TestTimeout)]
    public async Task A_command_from_one_silo_reaches_the_device_on_another_and_revoking_there_closes_its_session()
    {
        await RevokeThroughThePrimaryAsync(silos.Second);
        await RevokeAnAuthenticatedDeviceThroughThePrimaryAsync(silos.Second);
    }

    private async Task RevokeThroughThePrimaryAsync(ServiceFixture secondary)
    {

        await using var bench = await SwtpmBench.StartAsync();
        var (tpm, manufacturer) = (bench.Tpm, bench.Manufacturer);
        var tenant = await Primary.CreateTenantAsync($"cl-{Guid.NewGuid():N}"[..20], [manufacturer.RootDer]);
        var enrollment = new TpmEnrollment(tpm, await VirtualDevices.ManufactureAsync(tpm, manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        EnrollmentResult identity;
        await using (var enrolmentOnly = await secondary.ConnectAsync(deviceId))   // the device talks to the second silo's broker
            identity = await enrollment.EnrollAsync(enrolmentOnly);
        var client = await secondary.ConnectAuthenticatedAsync(enrollment, identity);   // commands come on its authenticated session
        await using var _ = client;
        Assert.True(client.IsAuthenticated);

        var received = new TaskCompletionSource<DeviceCommand>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CommandReceived += payload =>
        {
            received.TrySetResult(JsonSerializer.Deserialize(payload.Span, ProtocolJson.Default.DeviceCommand)!);
            return Task.CompletedTask;
        };
        var sent = await Primary.App.Services.GetRequiredService<DeviceCommandPublisher>()   // sent by the first silo
            .SendAsync(tenant.TenantId, deviceId, DeviceCommandKinds.AttestNow);
        var delivered = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(sent.CommandId, delivered.CommandId);

        using var http = tenant.Http;                          // the operator talks to the first silo's API
        var revoke = await http.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "keyCompromise" });

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (client.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.False(client.IsConnected, "the device's session on the other silo is still open after revocation");
        Assert.Equal(DeviceStatus.Revoked, (await Primary.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId))!.Status);
    }

    private async Task RevokeAnAuthenticatedDeviceThroughThePrimaryAsync(ServiceFixture secondary)
    {
        var fleetDirectory = Directory.CreateTempSubdirectory("iotid-cluster-fleet-").FullName;
        try
        {
            await using var fleet = IoTIdentity.Simulator.Factory.Fleet.CreateEmulated(fleetDirectory, 1);
            var device = fleet.Devices[0];
            var tenant = await Primary.CreateTenantAsync($"cl-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
            EnrollmentResult identity;
            await using (var enrolmentOnly = await secondary.ConnectAsync(device.DeviceId))
                identity = await fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(enrolmentOnly), CancellationToken.None);
            Task<EnrollmentClient> ConnectAuthenticated() => secondary.ConnectAuthenticatedAsync(device.DeviceId, () => fleet.ClientCertificate(device, identity)!);
            await using var session = await ConnectAuthenticated();
            Assert.True(session.IsAuthenticated);
            var view = secondary.App.Services.GetRequiredService<IoTIdentity.Provisioning.Host.Channel.RevocationView>();
            var reads = view.Reads;

            using var http = tenant.Http;                      // revoked through the first silo
            var revoke = await http.PostAsJsonAsync($"/api/v1/devices/{device.DeviceId}/revoke", new { reason = "keyCompromise" });

            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (session.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.False(session.IsConnected, "the device's authenticated session on the other silo is still open after revocation");
            var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(ConnectAuthenticated);
            Assert.Equal(IoTIdentity.Protocol.ProvisioningError.NotAuthorized, refused.Error);
            Assert.Equal(reads, view.Reads);
        }
        finally
        {
            Directory.Delete(fleetDirectory, recursive: true);
        }
    }
}
