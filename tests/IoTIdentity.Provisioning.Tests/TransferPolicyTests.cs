using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>The revocation policy "acceptance" (its command never reaches an enrolment-only session), the old owner's quota, and the transfer list.</summary>
public sealed class TransferPolicyTests(ServiceFixture service) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private TransferTestDevices _devices = null!;

    public async Task InitializeAsync() => _devices = await TransferTestDevices.StartAsync();

    public async Task DisposeAsync() => await _devices.DisposeAsync();

    [Fact]
    public async Task A_device_handed_over_gives_its_old_owner_back_the_quota_it_used()
    {
        var a = await service.CreateTenantAsync($"qa-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        using var aHttp = a.Http;
        Assert.Equal(HttpStatusCode.OK, (await aHttp.PutAsJsonAsync("/api/v1/tenant/quota", new { maxDevices = 1 })).StatusCode);
        var device = await _devices.EnrollNewAsync(service);
        var b = await service.CreateTenantAsync($"qb-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        using var bHttp = b.Http;
        Assert.Equal(1, await DeviceCountAsync(aHttp, "/api/v1/tenant"));
        Assert.Equal(1, await DeviceCountAsync(aHttp, "/api/v1/enrollment-groups/default"));

        var created = await aHttp.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId } });
        var transfer = (await created.Content.ReadFromJsonAsync<TransferView>())!;
        Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "default" })).StatusCode);
        await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.Counts.CommandSent == 1, TimeSpan.FromSeconds(30), "the command sent");

        Assert.Equal(0, await DeviceCountAsync(aHttp, "/api/v1/tenant"));
        Assert.Equal(0, await DeviceCountAsync(aHttp, "/api/v1/enrollment-groups/default"));
    }

    private static async Task<int> DeviceCountAsync(HttpClient http, string path) =>
        (await http.GetFromJsonAsync<JsonElement>(path)).GetProperty("deviceCount").GetInt32();

    [Fact]
    public async Task With_revocation_at_acceptance_the_old_certificate_is_revoked_at_once_the_command_reaches_no_enrolment_only_session_and_enrolling_again_completes()
    {
        var a = await service.CreateTenantAsync($"pa-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        var device = await _devices.EnrollNewAsync(service);
        var b = await service.CreateTenantAsync($"pb-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        using var aHttp = a.Http;
        using var bHttp = b.Http;
        var oldSerial = device.Last.Issued.SerialNumber;
        var created = await aHttp.PostAsJsonAsync("/api/v1/transfers",
            new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId }, revokeOldCertificateAt = "acceptance" });
        var transfer = (await created.Content.ReadFromJsonAsync<TransferView>())!;
        Assert.Equal("acceptance", transfer.RevokeOldCertificateAt);

        Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "default" })).StatusCode);
        await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.Counts.CommandSent == 1, TimeSpan.FromSeconds(30), "the command sent");

        // cut off at acceptance: A's certificate is revoked and the device's session closed before it re-enrolled
        Assert.NotNull(await service.Grains.GetGrain<ITenantGrain>(a.TenantId).GetRevocationAsync(oldSerial));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (device.Client.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.False(device.Client.IsConnected);
        Assert.Equal(HttpStatusCode.NotFound, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
        Assert.Equal(DeviceStatus.Transferring, (await bHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}"))!.Status);

        // with its certificate revoked, the device (or anyone knowing its id) reconnects enrolment-only: the kept command
        // is not re-sent there — it would tell a stranger the device has one waiting — though the session subscribes to it
        var commands = 0;
        await device.Client.DisposeAsync();
        device.Client = await service.ConnectAsync(device.DeviceId);
        Assert.False(device.Client.IsAuthenticated);
        device.Client.CommandReceived += _ =>
        {
            Interlocked.Increment(ref commands);
            return Task.CompletedTask;
        };
        await Task.Delay(ResendWindow);
        Assert.Equal(0, commands);
        Assert.Equal(1, (await bHttp.GetFromJsonAsync<TransferView>($"/api/v1/transfers/{transfer.TransferId}"))!.Counts.CommandSent);

        // the device enrols again from its EK (the agent does so once its certificate is refused): the transfer completes
        device.Last = await device.EnrollAsync();
        var done = await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.State == TransferStatus.Completed, TimeSpan.FromSeconds(30), "completion");
        Assert.Equal(device.Last.Issued.SerialNumber, done.Devices[0].NewSerialNumber);
        Assert.Equal(b.TenantId, device.Last.Issued.Owner);
        Assert.Equal(0, commands);
    }

    /// <summary>Longer than the re-send's delay after a subscription (1 s) plus its grain call.</summary>
    private static readonly TimeSpan ResendWindow = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Each_side_lists_the_transfer_in_its_own_direction_and_a_stranger_sees_none()
    {
        var a = await service.CreateTenantAsync($"la-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        var device = await _devices.EnrollNewAsync(service);
        var b = await service.CreateTenantAsync($"lb-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        var stranger = await service.CreateTenantAsync($"lc-{Guid.NewGuid():N}"[..20], [_devices.Manufacturer.RootDer]);
        using var aHttp = a.Http;
        using var bHttp = b.Http;
        using var strangerHttp = stranger.Http;
        var created = await aHttp.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId } });
        var id = (await created.Content.ReadFromJsonAsync<TransferView>())!.TransferId;

        async Task<List<string>> IdsAsync(HttpClient http, string query) =>
            (await http.GetFromJsonAsync<Protocol.Management.Page<Protocol.Management.TransferView>>($"/api/v1/transfers{query}"))!.Items.Select(t => t.TransferId).ToList();
        Assert.Equal([id], await IdsAsync(aHttp, "?direction=outgoing"));
        Assert.Empty(await IdsAsync(aHttp, "?direction=incoming"));
        Assert.Equal([id], await IdsAsync(bHttp, "?direction=incoming&state=Pending"));
        Assert.Empty(await IdsAsync(bHttp, "?state=Completed"));
        Assert.Empty(await IdsAsync(strangerHttp, ""));
        Assert.Equal(HttpStatusCode.BadRequest, (await aHttp.GetAsync("/api/v1/transfers?direction=sideways")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await aHttp.GetAsync("/api/v1/transfers?continuationToken=x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/v1/tenants/no-such-tenant-{Guid.NewGuid():N}"[..40] + "/ownership-key")).StatusCode);
    }
}
