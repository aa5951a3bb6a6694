using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Simulator.Factory;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// A bulk transfer of 200 real devices (distinct EKs on four swtpm processes, the simulator's fleet), some of them
/// offline at acceptance: each device listens for commands on its authenticated session (the only one commands reach),
/// checks their signature and executes each command once as the agent does, and re-enrols.
/// </summary>
public sealed class BulkTransferTests(FleetService fleetService) : IClassFixture<FleetService>, IAsyncLifetime
{
    private readonly ServiceFixture service = fleetService.Service;
    private const int Devices = 200;
    private const int Offline = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-bulk-").FullName;
    private readonly ConcurrentDictionary<string, EnrollmentResult> _identities = new();
    private readonly ConcurrentDictionary<string, EnrollmentClient> _clients = new();
    private readonly ConcurrentBag<Exception> _failures = [];
    private Fleet _fleet = null!;
    private readonly ConcurrentDictionary<string, bool> _executed = new();

    public async Task InitializeAsync() => _fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), Devices, 4, CancellationToken.None);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values) await client.DisposeAsync();
        await _fleet.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_bulk_transfer_moves_online_devices_at_once_and_offline_ones_when_they_reconnect()
    {
        var a = await service.CreateTenantAsync($"ba-{Guid.NewGuid():N}"[..20], [_fleet.Manufacturer.RootDer]);
        await Task.WhenAll(_fleet.Devices.Select(async d =>
        {
            await using (var enrolmentOnly = await service.ConnectAsync(d.DeviceId, TimeSpan.FromSeconds(60)))
                _identities[d.DeviceId] = await EnrollAsync(d, enrolmentOnly);
            await ConnectAuthenticatedAsync(d);
        }));
        Assert.All(_identities.Values, r => Assert.Equal(a.TenantId, r.Issued.Owner));
        var offline = _fleet.Devices.Take(Offline).ToList();
        foreach (var d in offline) await _clients[d.DeviceId].DisposeAsync();

        // B trusts the same manufacturer (created now: while two tenants' groups match, a first enrolment is ambiguous)
        var b = await service.CreateTenantAsync($"bb-{Guid.NewGuid():N}"[..20], [_fleet.Manufacturer.RootDer]);
        using var aHttp = a.Http;
        using var bHttp = b.Http;
        var created = await aHttp.PostAsJsonAsync("/api/v1/transfers",
            new { targetTenantId = b.TenantId, deviceIds = _fleet.Devices.Select(d => d.DeviceId) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var transferId = (await created.Content.ReadFromJsonAsync<TransferView>())!.TransferId;
        Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transferId}/accept", new { groupId = "default" })).StatusCode);

        // the online devices complete; the offline ones wait with their command sent
        var view = await WaitForAsync(bHttp, transferId, v => v.Counts.Reenrolled == Devices - Offline, "online devices re-enrolled");
        Assert.Equal(TransferStatus.Accepted, view.State);
        Assert.Equal(new TransferCounts(0, Offline, Devices - Offline, 0), view.Counts);
        Assert.All(view.Devices.Where(p => offline.Any(d => d.DeviceId == p.DeviceId)), p => Assert.Equal(TransferDeviceState.CommandSent, p.State));
        var reenrolled = view.Devices.Where(p => p.State == TransferDeviceState.Reenrolled).ToList();
        await WaitForDevicesToReadTheirRepliesAsync(() => reenrolled.All(p => _identities[p.DeviceId].Issued.SerialNumber == p.NewSerialNumber));
        Assert.All(reenrolled, p => Assert.Equal(_identities[p.DeviceId].Issued.SerialNumber, p.NewSerialNumber));

        // they reconnect with their certificate: the service re-sends the command and they re-enrol
        foreach (var d in offline) await ConnectAuthenticatedAsync(d);
        view = await WaitForAsync(bHttp, transferId, v => v.State == TransferStatus.Completed, "offline devices re-enrolled after reconnecting");
        Assert.Equal(new TransferCounts(0, 0, Devices, 0), view.Counts);
        Assert.Empty(_failures);
        await WaitForDevicesToReadTheirRepliesAsync(() => _identities.Values.All(r => r.Issued.Owner == b.TenantId));
        Assert.All(_identities.Values, r => Assert.Equal(b.TenantId, r.Issued.Owner));
        var devices = await service.Store.ListDevicesAsync(b.TenantId, new Provisioning.Storage.DeviceQuery { PageSize = 500 });
        Assert.Equal(Devices, devices.Items.Count(r => r.State == nameof(DeviceStatus.Active)));
        Assert.Empty((await service.Store.ListDevicesAsync(a.TenantId, new Provisioning.Storage.DeviceQuery { PageSize = 500 })).Items);
    }

    /// <summary>The saga counts a device re-enrolled when its certificate is recorded, a moment before the device reads the reply.</summary>
    private static async Task WaitForDevicesToReadTheirRepliesAsync(Func<bool> read)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!read() && DateTime.UtcNow < deadline) await Task.Delay(100);
    }

    private Task<TransferView> WaitForAsync(HttpClient http, string transferId, Func<TransferView, bool> condition, string what) =>
        TransferPolling.WaitForAsync(http, transferId, condition, Patience, what, () => $"device failures: {string.Join(" | ", _failures.Select(f => f.Message).Distinct())}");

    /// <summary>The device's session authenticated by its current certificate (its TPM signs the handshake): commands come only there.</summary>
    private async Task ConnectAuthenticatedAsync(FleetDevice device)
    {
        var options = service.ClientOptions(TimeSpan.FromSeconds(60));
        var identity = _identities[device.DeviceId];
        options.TpmClientCertificate = () => _fleet.TpmClientCertificate(device, identity)!;
        var client = await EnrollmentClient.ConnectAsync(device.DeviceId, options);
        Assert.True(client.IsAuthenticated);
        client.CommandReceived += payload => OnCommandAsync(device, payload);
        _clients[device.DeviceId] = client;
    }

    private Task<EnrollmentResult> EnrollAsync(FleetDevice device, EnrollmentClient client) =>
        _fleet.RunOnSlotAsync(device.Slot, tpm => new TpmEnrollment(tpm, _fleet.OptionsFor(device)).EnrollAsync(client), CancellationToken.None);

    /// <summary>What the agent does with a command: check it against the current identity's issuing CA, then re-enrol off the receive loop.</summary>
    private Task OnCommandAsync(FleetDevice device, ReadOnlyMemory<byte> payload)
    {
        var verdict = new CommandVerifier().Verify(payload.Span, StoredIdentity.From(_identities[device.DeviceId], DateTimeOffset.UtcNow), DateTimeOffset.UtcNow);
        if (verdict.Command?.Kind != DeviceCommandKinds.Reenroll) return Task.CompletedTask;
        // as the agent does: a command re-sent (the service re-sends a waiting one when a session subscribes) runs once
        if (!_executed.TryAdd(verdict.Command.CommandId, true)) return Task.CompletedTask;
        _ = Task.Run(async () =>
        {
            try
            {
                _identities[device.DeviceId] = await EnrollAsync(device, _clients[device.DeviceId]);
            }
            catch (Exception e)
            {
                _failures.Add(e);
            }
        });
        return Task.CompletedTask;
    }
}

/// <summary>The service as a fleet sees it: every device behind one loopback address, so the per-address rate is lifted.</summary>
public sealed class FleetService : IAsyncLifetime
{
    public ServiceFixture Service { get; } = ServiceFixture.With(new Dictionary<string, string?> { ["Mqtt:AddressRequestsPerWindow"] = "1000000", ["Mqtt:MaxConnectionsPerAddress"] = "1000" });

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}
