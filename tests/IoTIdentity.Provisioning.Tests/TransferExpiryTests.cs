using System.Net;
using System.Net.Http.Json;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>The system clock moved forward on demand: lets a test reach a transfer's expiry without waiting an hour.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>A service whose clock a test can move forward.</summary>
public sealed class ShiftedClockService : IAsyncLifetime
{
    public ShiftedClock Clock { get; } = new();

    public ServiceFixture Service { get; }

    public ShiftedClockService() => Service = ServiceFixture.With(new Dictionary<string, string?>(), services => services.AddSingleton<TimeProvider>(Clock));

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}

/// <summary>An unaccepted transfer expires: it changes nothing and frees its devices.</summary>
public sealed class TransferExpiryTests(ShiftedClockService fixture) : IClassFixture<ShiftedClockService>
{
    [Fact]
    public async Task An_expired_transfer_changes_nothing_and_cannot_be_accepted()
    {
        var service = fixture.Service;
        await using var devices = await TransferTestDevices.StartAsync();
        var a = await service.CreateTenantAsync($"ea-{Guid.NewGuid():N}"[..20], [devices.Manufacturer.RootDer]);
        var device = await devices.EnrollNewAsync(service);
        var b = await service.CreateTenantAsync($"eb-{Guid.NewGuid():N}"[..20], [devices.Manufacturer.RootDer]);
        using var aHttp = a.Http;
        using var bHttp = b.Http;
        var before = await aHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}");
        var created = await aHttp.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId }, expiresInHours = 1 });
        var transfer = (await created.Content.ReadFromJsonAsync<TransferView>())!;
        Assert.Equal(transfer.CreatedAt + TimeSpan.FromHours(1), transfer.ExpiresAt);

        fixture.Clock.Offset = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1);
        try
        {
            // the device's hold lapsed on its own: another transfer may take it even before anyone looks at the first
            var again = await aHttp.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId } });
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);

            Assert.Equal(HttpStatusCode.Conflict, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { })).StatusCode);
            Assert.Equal(TransferStatus.Expired, (await aHttp.GetFromJsonAsync<TransferView>($"/api/v1/transfers/{transfer.TransferId}"))!.State);
            var after = await aHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}");
            Assert.Equal(before!.CertificateSerial, after!.CertificateSerial);
            Assert.Equal(DeviceStatus.Active, after.Status);
            Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
            Assert.Null(await service.Grains.GetGrain<ITenantGrain>(a.TenantId).GetRevocationAsync(before.CertificateSerial!));
            var audit = await service.ReadAuditLogAsync(b.TenantId);
            Assert.Contains(audit, e => e.Event.Action == "transfer-expire" && e.Event.Subject == transfer.TransferId);
        }
        finally
        {
            fixture.Clock.Offset = TimeSpan.Zero;
        }
    }
}
