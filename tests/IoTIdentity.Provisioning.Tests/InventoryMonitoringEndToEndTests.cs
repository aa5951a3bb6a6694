using System.Globalization;
using System.Net;
using IoTIdentity.DeviceAgent.Enrollment;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The inventory detectors end to end: swtpm devices enrol (30-day certificates, renewal due at day 20), the service's
/// clock is moved forward (its <see cref="TimeProvider"/>, never a sleep), and the sweep finds the device that stayed
/// silent past its renewal time and, later, the one whose certificate will lapse before it renews; a device that
/// renewed in time opens nothing. The webhook's timestamp is checked against the service's clock.
/// </summary>
public sealed class InventoryMonitoringEndToEndTests(ShiftedClockService fixture) : SwtpmBench, IClassFixture<ShiftedClockService>
{
    private const int TestTimeout = 150_000;

    private async Task<(TpmEnrollment Enrollment, string DeviceId, EnrollmentResult Result)> EnrolAsync()
    {
        // the agent signs its renewal proofs with the time the service keeps
        var enrollment = new TpmEnrollment(Tpm, (await VirtualDevices.ManufactureAsync(Tpm, Manufacturer)) with { Time = fixture.Clock });
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await fixture.Service.ConnectAsync(deviceId);
        return (enrollment, deviceId, await enrollment.EnrollAsync(client));
    }

    private static async Task SweepAsync(WatchedTenant tenant)
    {
        using var sweep = await tenant.Http.PostAsync("/api/v1/findings/sweep", null);
        Assert.Equal(HttpStatusCode.NoContent, sweep.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_silent_device_is_found_stale_and_then_expiring_before_renewal_while_a_device_that_renewed_opens_nothing()
    {
        await using var tenant = await WatchedTenant.CreateAsync(fixture.Service, Manufacturer.RootDer, clock: fixture.Clock);
        await tenant.SetPolicyAsync(new { staleGrace = "01:00:00", expiryHorizon = "01:00:00" });
        var (_, silentId, silent) = await EnrolAsync();
        var (renewing, renewingId, enrolled) = await EnrolAsync();
        try
        {
            // day 21: both are a day past their renewal time; only the silent one stays so
            fixture.Clock.Offset = TimeSpan.FromDays(21);
            await SweepAsync(tenant);
            var stale = await tenant.FindingAsync("StaleDevice", f => WatchedTenant.Devices(f).SequenceEqual([silentId]));
            var staleId = stale["id"]!.GetValue<string>();
            Assert.Equal(silent.Issued.SerialNumber, stale["evidence"]!["serial"]!.GetValue<string>(), ignoreCase: true);
            var due = DateTimeOffset.Parse(stale["evidence"]!["renewal-due"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            Assert.InRange(due, silent.Issued.NotAfter.AddDays(-10).AddMinutes(-5), silent.Issued.NotAfter.AddDays(-10).AddMinutes(5));
            Assert.Equal(("StaleDevice", "alert"), ((await tenant.WebhookAsync(staleId))["kind"]!.GetValue<string>(), stale["remediation"]!.GetValue<string>()));
            Assert.Empty(WatchedTenant.Sequences(stale));       // an inventory finding: nothing in the audit log is behind it
            await using (var client = await fixture.Service.ConnectAuthenticatedAsync(renewing, enrolled))
                await renewing.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);

            // half an hour before the silent device's certificate lapses
            fixture.Clock.Offset = silent.Issued.NotAfter - DateTimeOffset.UtcNow - TimeSpan.FromMinutes(30);
            await SweepAsync(tenant);
            var expiring = await tenant.FindingAsync("ExpiringBeforeRenewal");
            var expiringId = expiring["id"]!.GetValue<string>();
            Assert.Equal([silentId], WatchedTenant.Devices(expiring));
            Assert.Equal("High", expiring["severity"]!.GetValue<string>());
            Assert.Equal(silent.Issued.NotAfter, DateTimeOffset.Parse(expiring["evidence"]!["not-after"]!.GetValue<string>(), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1));
            Assert.Equal("ExpiringBeforeRenewal", (await tenant.WebhookAsync(expiringId))["kind"]!.GetValue<string>());

            // the device that renewed on day 21 is due on day 41: it is in no finding but the stale one it was in before renewing
            var findings = await tenant.SettledFindingsAsync();
            Assert.DoesNotContain(findings, f => WatchedTenant.Devices(f).Contains(renewingId) && f["kind"]!.GetValue<string>() != "StaleDevice");
            Assert.Equal(["ExpiringBeforeRenewal", "StaleDevice"], findings.Where(f => WatchedTenant.Devices(f).Contains(silentId)).Select(f => f["kind"]!.GetValue<string>()));
        }
        finally
        {
            fixture.Clock.Offset = TimeSpan.Zero;
        }
    }
}
