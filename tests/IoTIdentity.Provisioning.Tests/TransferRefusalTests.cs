using System.Net;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using Microsoft.AspNetCore.Mvc;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// What a transfer refuses, and that a refused, cancelled or expired transfer changes nothing; a rotation racing an
/// acceptance ends with one owner and one valid certificate.
/// </summary>
public sealed class TransferRefusalTests(ServiceFixture service) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private TransferTestDevices _devices = null!;
    private TestTenant _a = null!;

    public async Task InitializeAsync()
    {
        _devices = await TransferTestDevices.StartAsync();
        _a = await service.CreateTenantAsync(NewId("ra"), [_devices.Manufacturer.RootDer]);
    }

    public async Task DisposeAsync() => await _devices.DisposeAsync();

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    /// <summary>A tenant whose default group also trusts the test manufacturer (create it after the devices enrolled).</summary>
    private Task<TestTenant> TargetAsync() => service.CreateTenantAsync(NewId("rb"), [_devices.Manufacturer.RootDer]);

    private static Task<HttpResponseMessage> CreateAsync(HttpClient http, string target, params string[] deviceIds) =>
        http.PostAsJsonAsync("/api/v1/transfers", new { targetTenantId = target, deviceIds });

    private static async Task<TransferView> CreatedAsync(HttpClient http, string target, params string[] deviceIds)
    {
        var response = await CreateAsync(http, target, deviceIds);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TransferView>())!;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, ProvisioningError error)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(error.ToString(), problem!.Title);
    }

    [Fact]
    public async Task Transfer_is_refused_when_the_caller_does_not_own_the_device()
    {
        var device = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        using var bHttp = b.Http;

        await AssertProblemAsync(await CreateAsync(bHttp, _a.TenantId, device.DeviceId), HttpStatusCode.NotFound, ProvisioningError.NotFound);
        await AssertProblemAsync(await CreateAsync(bHttp, _a.TenantId, new string('0', 64)), HttpStatusCode.NotFound, ProvisioningError.NotFound);
        using var aHttp = _a.Http;
        Assert.Equal(HttpStatusCode.OK, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
        await CreatedAsync(aHttp, b.TenantId, device.DeviceId);   // the owner still can: the refused attempt held nothing
    }

    [Fact]
    public async Task Transfer_is_refused_when_a_device_is_already_in_an_open_transfer_and_holds_none_of_the_others()
    {
        var held = await _devices.EnrollNewAsync(service);
        var free = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        using var aHttp = _a.Http;
        await CreatedAsync(aHttp, b.TenantId, held.DeviceId);

        await AssertProblemAsync(await CreateAsync(aHttp, b.TenantId, free.DeviceId, held.DeviceId), HttpStatusCode.Conflict, ProvisioningError.Conflict);

        await CreatedAsync(aHttp, b.TenantId, free.DeviceId);
    }

    [Fact]
    public async Task Transfer_is_refused_when_the_target_tenant_does_not_exist()
    {
        var device = await _devices.EnrollNewAsync(service);
        using var aHttp = _a.Http;

        await AssertProblemAsync(await CreateAsync(aHttp, NewId("missing"), device.DeviceId), HttpStatusCode.NotFound, ProvisioningError.NotFound);
    }

    [Fact]
    public async Task Transfer_is_refused_for_an_auditor_or_operator_key()
    {
        var device = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        foreach (var role in new[] { ApiRole.Auditor, ApiRole.Operator })
        {
            var key = await service.Grains.GetGrain<ITenantGrain>(_a.TenantId).CreateApiKeyAsync(role, "weak");
            using var weak = service.ClientFor(key.Key);
            await AssertProblemAsync(await CreateAsync(weak, b.TenantId, device.DeviceId), HttpStatusCode.Forbidden, ProvisioningError.Forbidden);
        }
    }

    [Fact]
    public async Task Transfer_requests_with_bad_input_are_refused_with_a_clear_error()
    {
        var device = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        using var aHttp = _a.Http;
        object[] bodies =
        [
            new { targetTenantId = b.TenantId, deviceIds = Array.Empty<string>() },
            new { targetTenantId = b.TenantId, deviceIds = Enumerable.Range(0, 1001).Select(i => i.ToString("x64")).ToArray() },
            new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId, device.DeviceId } },
            new { targetTenantId = b.TenantId, deviceIds = new[] { "../etc" } },
            new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId }, revokeOldCertificateAt = "never" },
            new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId }, expiresInHours = 0 },
            new { targetTenantId = b.TenantId, deviceIds = new[] { device.DeviceId }, expiresInHours = 721 },
            new { targetTenantId = _a.TenantId, deviceIds = new[] { device.DeviceId } },
            new { deviceIds = new[] { device.DeviceId } },
        ];
        foreach (var body in bodies)
            await AssertProblemAsync(await aHttp.PostAsJsonAsync("/api/v1/transfers", body), HttpStatusCode.BadRequest, ProvisioningError.MalformedRequest);
        await CreatedAsync(aHttp, b.TenantId, device.DeviceId);   // none of them held the device
    }

    [Fact]
    public async Task Accept_is_refused_when_the_caller_is_not_the_target()
    {
        var device = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        var stranger = service.Grains.GetGrain<ITenantGrain>(NewId("rc"));   // a tenant with no group of its own
        await stranger.CreateAsync("stranger");
        using var aHttp = _a.Http;
        using var bHttp = b.Http;
        using var strangerHttp = service.ClientFor((await stranger.CreateApiKeyAsync(ApiRole.OwnerAdmin, "test")).Key);
        var transfer = await CreatedAsync(aHttp, b.TenantId, device.DeviceId);

        await AssertProblemAsync(await aHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { }), HttpStatusCode.Forbidden, ProvisioningError.Forbidden);
        await AssertProblemAsync(await strangerHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { }), HttpStatusCode.NotFound, ProvisioningError.NotFound);
        await AssertProblemAsync(await strangerHttp.GetAsync($"/api/v1/transfers/{transfer.TransferId}"), HttpStatusCode.NotFound, ProvisioningError.NotFound);
        await AssertProblemAsync(await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "no-such-group" }), HttpStatusCode.NotFound, ProvisioningError.NotFound);

        var view = await bHttp.GetFromJsonAsync<TransferView>($"/api/v1/transfers/{transfer.TransferId}");
        Assert.Equal(TransferStatus.Pending, view!.State);
        Assert.Equal(HttpStatusCode.OK, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
    }

    [Fact]
    public async Task A_cancelled_transfer_changes_nothing()
    {
        var device = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        using var aHttp = _a.Http;
        using var bHttp = b.Http;
        var before = await aHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}");
        var first = await CreatedAsync(aHttp, b.TenantId, device.DeviceId);

        Assert.Equal(HttpStatusCode.OK, (await aHttp.PostAsync($"/api/v1/transfers/{first.TransferId}/cancel", null)).StatusCode);

        await AssertProblemAsync(await bHttp.PostAsJsonAsync($"/api/v1/transfers/{first.TransferId}/accept", new { }), HttpStatusCode.Conflict, ProvisioningError.Conflict);
        Assert.Equal(TransferStatus.Cancelled, (await bHttp.GetFromJsonAsync<TransferView>($"/api/v1/transfers/{first.TransferId}"))!.State);
        var after = await aHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}");
        Assert.Equal(before!.CertificateSerial, after!.CertificateSerial);
        Assert.Equal(DeviceStatus.Active, after.Status);
        Assert.Null(await service.Grains.GetGrain<ITenantGrain>(_a.TenantId).GetRevocationAsync(before.CertificateSerial!));
        Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);
        var renewed = await device.RenewAsync();   // the device carries on with its owner
        Assert.Equal(_a.TenantId, renewed.Issued.Owner);

        // the target may decline a pending transfer too; an accepted one can no longer be cancelled
        var second = await CreatedAsync(aHttp, b.TenantId, device.DeviceId);
        Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsync($"/api/v1/transfers/{second.TransferId}/cancel", null)).StatusCode);
        var third = await CreatedAsync(aHttp, b.TenantId, device.DeviceId);
        Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{third.TransferId}/accept", new { groupId = "default" })).StatusCode);
        await AssertProblemAsync(await aHttp.PostAsync($"/api/v1/transfers/{third.TransferId}/cancel", null), HttpStatusCode.Conflict, ProvisioningError.Conflict);
    }

    [Fact]
    public async Task Concurrent_transfer_and_rotation_end_with_one_owner_and_one_active_certificate()
    {
        var device = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        using var aHttp = _a.Http;
        using var bHttp = b.Http;
        var transfer = await CreatedAsync(aHttp, b.TenantId, device.DeviceId);

        // a rotation and the acceptance at once: whichever the device grain serializes first, the transfer wins
        var rotation = device.RenewAsync();
        var accept = bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "default" });
        Assert.Equal(HttpStatusCode.OK, (await accept).StatusCode);
        try
        {
            device.Last = await rotation;
        }
        catch (EnrollmentRefusedException refused) when (refused.Error is ProvisioningError.NotEnrolled or ProvisioningError.NoChallenge)
        {
        }
        // the device follows the re-enrol command (or the refused renewal): it enrols again, now for B
        device.Last = await device.EnrollAsync();
        Assert.Equal(b.TenantId, device.Last.Issued.Owner);

        await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.State == TransferStatus.Completed, TimeSpan.FromSeconds(60), "the transfer completes");
        var view = await bHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{device.DeviceId}");
        Assert.Equal(DeviceStatus.Active, view!.Status);
        Assert.Equal(device.Last.Issued.SerialNumber, view.CertificateSerial);
        var aCrl = service.Grains.GetGrain<ITenantGrain>(_a.TenantId);
        Assert.NotEmpty(view.PastSerials);
        foreach (var serial in view.PastSerials) Assert.NotNull(await aCrl.GetRevocationAsync(serial));
        Assert.Null(await service.Grains.GetGrain<ITenantGrain>(b.TenantId).GetRevocationAsync(view.CertificateSerial!));
        Assert.Equal(HttpStatusCode.NotFound, (await aHttp.GetAsync($"/api/v1/devices/{device.DeviceId}")).StatusCode);

        // and the device's renewals now go to B
        var renewed = await device.RenewAsync();
        Assert.Equal(b.TenantId, renewed.Issued.Owner);
    }

    [Fact]
    public async Task A_device_disabled_while_the_transfer_was_pending_fails_and_stays_with_its_owner()
    {
        var moving = await _devices.EnrollNewAsync(service);
        var disabled = await _devices.EnrollNewAsync(service);
        var b = await TargetAsync();
        using var aHttp = _a.Http;
        using var bHttp = b.Http;
        var transfer = await CreatedAsync(aHttp, b.TenantId, moving.DeviceId, disabled.DeviceId);
        Assert.Equal(HttpStatusCode.NoContent, (await aHttp.PostAsync($"/api/v1/devices/{disabled.DeviceId}/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await bHttp.PostAsJsonAsync($"/api/v1/transfers/{transfer.TransferId}/accept", new { groupId = "default" })).StatusCode);
        moving.Last = await moving.EnrollAsync();

        var done = await TransferPolling.WaitForAsync(bHttp, transfer.TransferId, v => v.State == TransferStatus.Completed, TimeSpan.FromSeconds(60), "completion");
        Assert.Equal(new TransferCounts(0, 0, 1, 1), done.Counts);
        var failed = done.Devices.Single(d => d.DeviceId == disabled.DeviceId);
        Assert.Equal(TransferDeviceState.Failed, failed.State);
        Assert.Contains("Disabled", failed.Error);
        Assert.Equal(DeviceStatus.Disabled, (await aHttp.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{disabled.DeviceId}"))!.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{disabled.DeviceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await aHttp.PostAsync($"/api/v1/devices/{disabled.DeviceId}/enable", null)).StatusCode);
        await CreatedAsync(aHttp, b.TenantId, disabled.DeviceId);   // no longer held by the finished transfer
    }
}
