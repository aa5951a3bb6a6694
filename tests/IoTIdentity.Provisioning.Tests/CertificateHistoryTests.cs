using System.Net;
using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>A service whose clock a test moves and whose store a test can fault, with no request rate limit (one device enrols many times a second).</summary>
public sealed class ShiftedFaultyServiceFixture : IAsyncLifetime
{
    public ShiftedTimeProvider Clock { get; } = new();

    public ServiceFixture Service { get; }

    public ShiftedFaultyServiceFixture() => Service = ServiceFixture.With(new Dictionary<string, string?>
    {
        ["Mqtt:DeviceRequestsPerWindow"] = "1000000", ["Mqtt:AddressRequestsPerWindow"] = "1000000",
    }, services =>
    {
        services.AddSingleton<TimeProvider>(Clock);
        FaultInjectingStore.Decorate(services);
    });

    public FaultInjectingStore Faults => (FaultInjectingStore)Service.Store;

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}

/// <summary>
/// A device that renews for a long life: its state stays the same size (expired certificates move to its archive,
/// <see cref="CertificateHistory"/>), and nothing of its history is lost — the view lists every past serial once, in
/// order, and every certificate is found by serial with its issuer and validity, revocable by serial, even when a
/// store fault struck between an archive page and the state that no longer holds its certificates.
/// </summary>
public sealed class CertificateHistoryTests(ShiftedFaultyServiceFixture fixture) : SwtpmBench, IClassFixture<ShiftedFaultyServiceFixture>
{
    private const int TestTimeout = 300_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ServiceFixture _service = fixture.Service;

    public override async Task DisposeAsync()
    {
        fixture.Faults.FailWhen(null);
        await base.DisposeAsync();
    }

    /// <summary>Enough issuances to fill two pages and start a third.</summary>
    private const int Issuances = CertificateHistory.KeptInState + 2 * CertificateHistory.PageSize + 3;

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_renewing_for_a_long_life_keeps_a_bounded_state_and_its_whole_history()
    {
        var (tenant, enrollment, client) = await DeviceOfNewTenantAsync("h");
        await using var _ = client;
        using var http = tenant.Http;
        var issued = new List<IssuedResponse>();
        var largest = 0;
        for (var i = 0; i < Issuances; i++)
        {
            issued.Add((await enrollment.EnrollAsync(client)).Issued);
            var (state, bytes) = await StateAsync(issued[^1].DeviceId);
            // the newest few, the expired ones not yet gathered into a page, and the certificate just issued
            Assert.True(state.Certificates.Count <= CertificateHistory.KeptInState + CertificateHistory.PageSize,
                $"after {i + 1} issuances the state holds {state.Certificates.Count} certificates");
            Assert.True(state.PastSerials.Count < state.Certificates.Count + 1);
            if (i >= CertificateHistory.KeptInState + CertificateHistory.PageSize) largest = Math.Max(largest, bytes);
            fixture.Clock.Advance(Lifetime * 2);
        }
        var final = await StateAsync(issued[^1].DeviceId);
        Assert.Equal(2, final.State.ArchivedPages);
        Assert.True(final.Bytes <= largest, $"the state grew to {final.Bytes} bytes after it had been {largest}");

        await AssertWholeHistoryAsync(http, issued);
        // another tenant finds none of it
        var other = await _service.CreateTenantAsync($"ho-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);
        using var otherHttp = other.Http;
        Assert.Equal(HttpStatusCode.NotFound, (await otherHttp.GetAsync($"/api/v1/certificates/{issued[0].SerialNumber}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherHttp.PostAsJsonAsync($"/api/v1/certificates/{issued[0].SerialNumber}/revoke",
            new { reason = "keyCompromise" })).StatusCode);

        // an archived certificate is revoked by its serial like any other
        Assert.Equal(HttpStatusCode.NoContent,
            (await http.PostAsJsonAsync($"/api/v1/certificates/{issued[1].SerialNumber}/revoke", new { reason = "keyCompromise" })).StatusCode);
        var revoked = await http.GetFromJsonAsync<CertificateView>($"/api/v1/certificates/{issued[1].SerialNumber}");
        Assert.True(revoked!.Revoked);
        Assert.Equal("keyCompromise", revoked.Reason);

        // a page lost from the store: the view says the store failed rather than show a history with a hole, and the device still renews
        var page = $"{issued[0].DeviceId}/0";
        await _service.Store.DeleteAsync(CertificateHistory.Kind, page, (await _service.Store.ReadAsync(CertificateHistory.Kind, page))!.ETag);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync($"/api/v1/devices/{issued[0].DeviceId}")).StatusCode);
        // (the revocation above closed the device's session, as every revocation does)
        await using var reconnected = await _service.ConnectAsync(issued[0].DeviceId);
        var renewed = (await enrollment.EnrollAsync(reconnected)).Issued;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v1/certificates/{renewed.SerialNumber}")).StatusCode);
    }

    /// <summary>Each write of the move, faulted once: the archive page, then the state that no longer holds its certificates.</summary>
    public static TheoryData<string> MoveWrites => new() { CertificateHistory.Kind, "device.device" };

    [Theory(Timeout = TestTimeout)]
    [MemberData(nameof(MoveWrites))]
    public async Task A_store_fault_while_certificates_move_to_the_archive_loses_none_and_shows_none_twice(string faulted)
    {
        var (tenant, enrollment, client) = await DeviceOfNewTenantAsync("f");
        await using var _ = client;
        using var http = tenant.Http;
        var issued = new List<IssuedResponse>();
        var faults = fixture.Faults.Injected;
        var pageWritten = false;
        // the first write of `faulted` once the page is due (for the state: the one right after the page)
        fixture.Faults.FailWhen(call =>
        {
            if (call.Operation != "write" || issued.Count < CertificateHistory.KeptInState + CertificateHistory.PageSize) return false;
            if (call.Scope == CertificateHistory.Kind && faulted != CertificateHistory.Kind) { pageWritten = true; return false; }
            if (call.Scope != faulted || faulted != CertificateHistory.Kind && !pageWritten) return false;
            fixture.Faults.FailWhen(null);
            return true;
        });
        while (issued.Count < CertificateHistory.KeptInState + CertificateHistory.PageSize + 3)
        {
            try
            {
                issued.Add((await enrollment.EnrollAsync(client)).Issued);
            }
            catch (EnrollmentRefusedException e) when (e.Error == ProvisioningError.Unavailable)
            {
                // the device retries after a store fault, as the agent does
                continue;
            }
            fixture.Clock.Advance(Lifetime * 2);
        }

        Assert.Equal(faults + 1, fixture.Faults.Injected);
        Assert.Equal(1, (await StateAsync(issued[^1].DeviceId)).State.ArchivedPages);
        await AssertWholeHistoryAsync(http, issued);
    }

    /// <summary>The device view lists every earlier serial once, in issue order, and each certificate is found with its validity.</summary>
    private static async Task AssertWholeHistoryAsync(HttpClient http, List<IssuedResponse> issued)
    {
        var view = await http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{issued[0].DeviceId}");
        Assert.Equal(issued[^1].SerialNumber, view!.CertificateSerial);
        Assert.Equal(issued.SkipLast(1).Select(c => c.SerialNumber), view.PastSerials);
        foreach (var certificate in issued)
        {
            var found = await http.GetFromJsonAsync<CertificateView>($"/api/v1/certificates/{certificate.SerialNumber}");
            Assert.Equal(certificate.DeviceId, found!.DeviceId);
            Assert.Equal(certificate.NotAfter, found.NotAfter);
            Assert.False(found.Revoked);
        }
    }

    /// <summary>A new tenant whose certificates live <see cref="Lifetime"/>, and a new device of it, connected.</summary>
    private async Task<(TestTenant Tenant, TpmEnrollment Enrollment, EnrollmentClient Client)> DeviceOfNewTenantAsync(string prefix)
    {
        var tenant = await _service.CreateTenantAsync($"{prefix}-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer], p => p with { CertificateLifetime = Lifetime });
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        var client = await _service.ConnectAsync(await enrollment.ReadDeviceIdAsync());
        return (tenant, enrollment, client);
    }

    /// <summary>The device's stored state, decoded, and its size in the store.</summary>
    private async Task<(DeviceState State, int Bytes)> StateAsync(string deviceId)
    {
        var stored = (await _service.Store.ReadAsync("device.device", deviceId))!;
        return (_service.App.Services.GetRequiredService<Serializer>().Deserialize<DeviceState>(stored.Data)!, stored.Data.Length);
    }
}
