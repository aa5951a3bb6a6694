using System.Net.Http.Json;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>The service with its store wrapped in a <see cref="FaultInjectingStore"/>.</summary>
public sealed class FaultyServiceFixture : IAsyncLifetime
{
    public ServiceFixture Service { get; } = ServiceFixture.With(new Dictionary<string, string?>(), FaultInjectingStore.Decorate);

    public FaultInjectingStore Faults => (FaultInjectingStore)Service.Store;

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}

/// <summary>
/// Storage faults while a device attests reach the device as Unavailable with a retry delay — never as a crash,
/// never as a certificate the service has not recorded — and the device gets its certificate once storage is back.
/// </summary>
public sealed class StorageFaultTests(FaultyServiceFixture fixture) : SwtpmBench, IClassFixture<FaultyServiceFixture>
{
    private readonly ServiceFixture _service = fixture.Service;
    private readonly int _injectedBefore = fixture.Faults.Injected;
    private static int _tenants;

    public override async Task DisposeAsync()
    {
        fixture.Faults.FailWhen(null);
        await base.DisposeAsync();
    }

    /// <summary>
    /// The storage writes of one first attest, in order: the EK key's claim, the serial claim, the device state write
    /// that records the certificate. The challenge was spent before any of them (in the device's activation, where it
    /// lives, never stored), so a fault in any leaves it spent: the device registers again.
    /// </summary>
    public static TheoryData<string> AttestWrites => new() { "claim-ek-key", "claim-serial", "record-certificate" };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(AttestWrites))]
    public async Task A_storage_fault_during_attest_answers_Unavailable_records_no_certificate_and_a_new_enrolment_after_it_clears_succeeds(string write)
    {
        var tenant = await _service.CreateTenantAsync($"f{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await _service.ConnectAsync(deviceId);
        Func<StoreCall, bool> fault = write switch
        {
            "claim-ek-key" => c => c is { Operation: "claim", Scope: Grains.Enrollment.EkIdentity.ClaimScope },
            "claim-serial" => c => c is { Operation: "claim", Scope: "serial" },
            "record-certificate" => c => c is { Operation: "write" } && c.Key == deviceId,
            _ => throw new ArgumentOutOfRangeException(nameof(write)),
        };
        // the fault is armed as the attest leaves the device, so the register before it is stored normally
        var channel = new TamperingChannel(client)
        {
            Attest = a =>
            {
                fixture.Faults.FailWhen(fault);
                return a;
            },
        };

        var refusal = await Refusals.ExpectAsync(ProvisioningError.Unavailable, () => enrollment.EnrollAsync(channel));
        fixture.Faults.FailWhen(null);

        Assert.Equal(1, fixture.Faults.Injected - _injectedBefore);
        Assert.True(refusal.RetryAfter > TimeSpan.Zero, $"retry after {refusal.RetryAfter}");
        Assert.True(refusal.IsTransient);
        Assert.Null(await _service.Store.GetDeviceAsync(tenant.TenantId, deviceId));
        var view = await _service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId);
        Assert.True(view is null || view.Status != DeviceStatus.Active && view.CertificateSerial is null, $"device is {view?.Status} with serial {view?.CertificateSerial}");
        Assert.DoesNotContain(await _service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Subject == deviceId && e.Event.Outcome == "issued");

        // the device retries: its challenge is spent, so the same attest is refused and the whole enrolment succeeds
        await Refusals.ExpectAsync(ProvisioningError.NoChallenge, () => client.AttestAsync(channel.Attests[0]));
        var issued = (await enrollment.EnrollAsync(client)).Issued;

        var record = await _service.Store.GetDeviceAsync(tenant.TenantId, deviceId);
        Assert.Equal(nameof(DeviceStatus.Active), record!.State);
        Assert.Equal(issued.SerialNumber, record.CertificateSerial);
        using var http = tenant.Http;
        var shown = await http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{deviceId}");
        Assert.Equal(issued.SerialNumber, shown!.CertificateSerial);
        Assert.Empty(shown.PastSerials);
        Assert.Single(await _service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Subject == deviceId && e.Event.Outcome == "issued");
        Assert.True((await _service.Store.VerifyAuditChainAsync(tenant.TenantId)).IsValid);
    }

    /// <summary>The writes after the certificate is recorded in the device's state: the inventory and the audit log.</summary>
    public static TheoryData<string> AfterRecordWrites => new() { "upsert-device", "append-audit" };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(AfterRecordWrites))]
    public async Task A_storage_fault_after_the_certificate_is_recorded_answers_Unavailable_and_the_retried_attest_returns_it_with_inventory_and_audit_complete(string operation)
    {
        var tenant = await _service.CreateTenantAsync($"g{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await _service.ConnectAsync(deviceId);
        var channel = new TamperingChannel(client)
        {
            Attest = a =>
            {
                fixture.Faults.FailWhen(c => c.Operation == operation && c.Key == deviceId);
                return a;
            },
        };

        var refusal = await Refusals.ExpectAsync(ProvisioningError.Unavailable, () => enrollment.EnrollAsync(channel));
        fixture.Faults.FailWhen(null);
        var issued = await client.AttestAsync(channel.Attests[0]);

        Assert.True(refusal.RetryAfter > TimeSpan.Zero);
        var record = await _service.Store.GetDeviceAsync(tenant.TenantId, deviceId);
        Assert.Equal(issued.SerialNumber, record?.CertificateSerial);
        // at least once: when the inventory write failed, the entry written before it is written again on the retry
        var issuedEntries = (await _service.ReadAuditLogAsync(tenant.TenantId)).Where(e => e.Event.Subject == deviceId && e.Event.Outcome == "issued").ToList();
        Assert.NotEmpty(issuedEntries);
        Assert.All(issuedEntries, e => Assert.Equal(issued.SerialNumber, e.Event.Details!["serial"]));
        Assert.True((await _service.Store.VerifyAuditChainAsync(tenant.TenantId)).IsValid);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_storage_fault_behind_the_management_API_answers_503_with_retry_after_not_500()
    {
        var tenant = await _service.CreateTenantAsync($"http-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);
        fixture.Faults.FailWhen(call => call.Operation == "list-devices" && call.Scope == tenant.TenantId);
        try
        {
            var response = await tenant.Http.GetAsync("/api/v1/devices");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("Unavailable", await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.RetryAfter is not null);
        }
        finally
        {
            fixture.Faults.FailWhen(null);
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await tenant.Http.GetAsync("/api/v1/devices")).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_storage_fault_writing_finding_refreshes_fails_no_event_and_loses_no_refresh_once_storage_is_back()
    {
        var tenantId = $"mon{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20];
        var monitor = _service.Grains.GetGrain<IMonitorGrain>(tenantId);
        var second = 0;
        MonitoredEvent Refused() => new()   // a second session refused: a clone suspicion at once
        {
            Kind = MonitoredEventKind.SecondSessionRefused, Subject = "d1", SessionId = $"s{second}", Address = $"10.1.0.{second + 1}",
            At = DateTimeOffset.UnixEpoch.AddSeconds(second++),
        };
        await monitor.ObserveAsync([Refused(), Refused()]);
        var injected = fixture.Faults.Injected;

        fixture.Faults.FailWhen(c => c is { Operation: "write", Scope: "monitor.monitor" } && c.Key == tenantId);
        for (var i = 0; i < 5; i++) await monitor.ObserveAsync([Refused()]);
        var served = Assert.Single(await monitor.ListFindingsAsync());
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (fixture.Faults.Injected == injected && waited.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
        Assert.True(fixture.Faults.Injected > injected, "the refreshes' write never reached the store");
        fixture.Faults.FailWhen(null);

        waited.Restart();
        while ((await StoredFindingsAsync(tenantId)).SingleOrDefault()?.Count != served.Count && waited.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
        Assert.Equal(served.Count, Assert.Single(await StoredFindingsAsync(tenantId)).Count);
    }

    private async Task<IReadOnlyList<Finding>> StoredFindingsAsync(string tenantId) =>
        await _service.Store.ReadAsync("monitor.monitor", tenantId) is { } stored
            ? _service.App.Services.GetRequiredService<Serializer>().Deserialize<MonitorState>(stored.Data)!.Findings
            : [];
}
