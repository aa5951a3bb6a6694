using System.Net;
using System.Net.Http.Json;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Tpm.Keys;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The firmware detectors end to end: swtpm devices boot the sample releases with real PCR extends (a fresh swtpm per
/// test, rebooted between boots), attest them to the real service, and the finding, the signed webhook, the
/// remediation and its audit entries follow — including the cap, past which an automatic action only alerts.
/// </summary>
public sealed class FirmwareMonitoringEndToEndTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 150_000;
    private const string Audience = "https://readings.example";

    private Task<WatchedTenant> NewTenantAsync() => WatchedTenant.CreateAsync(service, Manufacturer.RootDer,
        p => p with { AllowedFirmware = [FirmwareRelease.From(FirmwareSamplesOnDisk.Manifest("1.0.0")), FirmwareRelease.From(FirmwareSamplesOnDisk.Manifest("1.1.0"))] });

    /// <summary>Reboots the bench's swtpm (PCRs back to zeros, EKs kept) and measures <paramref name="manifest"/>; returns the event log.</summary>
    private async Task<byte[]> RebootIntoAsync(FirmwareManifest manifest, string version)
    {
        await FirmwareSamplesOnDisk.RebootAsync(Swtpm, Tpm);
        return await MeasuredBoot.BootAsync(Tpm, manifest, FirmwareSamplesOnDisk.Directory(version));
    }

    /// <summary>Asks for a token for <see cref="Audience"/> with the device's current key and certificate.</summary>
    private static async Task TokenAsync(TpmEnrollment enrollment, EnrollmentClient client, string deviceId, EnrollmentResult current)
    {
        var request = await enrollment.SignTokenRequestAsync(deviceId, current.DeviceKey, KeyTemplates.SrkEccP256, current.Issued.SerialNumber, Audience, null);
        Assert.False(string.IsNullOrEmpty((await client.RequestTokenAsync(request)).Token));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Downgrades_are_found_and_quarantined_up_to_the_cap_and_past_it_only_announced()
    {
        await using var tenant = await NewTenantAsync();
        await tenant.SetPolicyAsync(new { remediation = new Dictionary<string, string> { ["FirmwareDowngrade"] = "Quarantine" }, maxActionsPerInterval = 1 });
        using (var put = await tenant.Http.PutAsJsonAsync("/api/v1/enrollment-groups/default/token-policy",
            new TokenPolicyView { Audiences = new Dictionary<string, IReadOnlyList<string>> { [Audience] = ["readings:write"] } }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // two devices on this TPM boot 1.1.0 and enrol; then the TPM reboots into the older, still allowed 1.0.0
        var onNew = await RebootIntoAsync(FirmwareSamplesOnDisk.Manifest("1.1.0"), "1.1.0");
        var made = new List<(TpmEnrollmentOptions Options, string DeviceId, EnrollmentClient Client, EnrollmentResult Result)>();
        foreach (var _ in new[] { 1, 2 })
        {
            var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
            var enrollment = new TpmEnrollment(Tpm, options with { EventLog = onNew });
            var deviceId = await enrollment.ReadDeviceIdAsync();
            EnrollmentResult result;
            await using (var enrolmentOnly = await service.ConnectAsync(deviceId)) result = await enrollment.EnrollAsync(enrolmentOnly);
            made.Add((options, deviceId, await service.ConnectAuthenticatedAsync(enrollment, result), result));
        }
        var onOld = await RebootIntoAsync(FirmwareSamplesOnDisk.Manifest("1.0.0"), "1.0.0");
        var devices = new List<(TpmEnrollment Enrollment, string DeviceId, EnrollmentClient Client, EnrollmentResult Result)>();
        foreach (var (options, deviceId, client, result) in made)
        {
            var downgraded = new TpmEnrollment(Tpm, options with { EventLog = onOld });
            devices.Add((downgraded, deviceId, client, await downgraded.RenewAsync(client, result.DeviceKey, result.Issued.SerialNumber)));
        }

        // each downgrade is a finding of its own, linked to the issued attestation that showed it
        var first = await tenant.FindingAsync("FirmwareDowngrade", f => WatchedTenant.Devices(f).Contains(devices[0].DeviceId) && f["remediation"]!.GetValue<string>() != "alert");
        var second = await tenant.FindingAsync("FirmwareDowngrade", f => WatchedTenant.Devices(f).Contains(devices[1].DeviceId) && f["remediation"]!.GetValue<string>() != "alert");
        foreach (var (finding, deviceId) in new[] { (first, devices[0].DeviceId), (second, devices[1].DeviceId) })
        {
            Assert.Equal(("High", "acme-sensor 1.1.0", "acme-sensor 1.0.0"),
                (finding["severity"]!.GetValue<string>(), finding["evidence"]!["from"]!.GetValue<string>(), finding["evidence"]!["to"]!.GetValue<string>()));
            await tenant.AssertLinkedAsync(finding, e => e.Event.Subject == deviceId && e.Event is { Action: "attest", Outcome: "issued" }
                && e.Event.Details!["firmware"] == "acme-sensor 1.0.0" && e.Event.Details["previous-firmware"] == "acme-sensor 1.1.0");
        }

        // the first is quarantined (the cap's one action); the second is past the cap: announced and audited as capped only
        var firstId = first["id"]!.GetValue<string>();
        var secondId = second["id"]!.GetValue<string>();
        Assert.Equal(("quarantine", "capped"), (first["remediation"]!.GetValue<string>(), second["remediation"]!.GetValue<string>()));
        Assert.Equal(["quarantined"], (await tenant.RemediationsAsync(firstId)).Select(e => e.Event.Outcome));
        Assert.Equal(["capped"], (await tenant.RemediationsAsync(secondId)).Select(e => e.Event.Outcome));
        Assert.Equal("quarantine", (await tenant.WebhookAsync(firstId))["remediation"]!.GetValue<string>());
        Assert.Equal("capped", (await tenant.WebhookAsync(secondId))["remediation"]!.GetValue<string>());

        // quarantined: renewals and tokens refused; the capped device keeps both
        var (held, heldId, heldClient, heldResult) = devices[0];
        var (capped, cappedId, cappedClient, cappedResult) = devices[1];
        await Refusals.ExpectAsync(ProvisioningError.Disabled, () => held.RenewAsync(heldClient, heldResult.DeviceKey, heldResult.Issued.SerialNumber));
        await Refusals.ExpectAsync(ProvisioningError.Disabled, () => TokenAsync(held, heldClient, heldId, heldResult));
        await TokenAsync(capped, cappedClient, cappedId, cappedResult);
        var cappedRenewed = await capped.RenewAsync(cappedClient, cappedResult.DeviceKey, cappedResult.Issued.SerialNumber);
        Assert.Equal(DeviceStatus.Active, (await tenant.Http.GetFromJsonAsync<DeviceView>($"/api/v1/devices/{cappedId}"))!.Status);

        // an operator releases the held device: it renews and gets tokens again
        using (var release = await tenant.Http.PostAsync($"/api/v1/devices/{heldId}/release", null))
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        var renewed = await held.RenewAsync(heldClient, heldResult.DeviceKey, heldResult.Issued.SerialNumber);
        await TokenAsync(held, heldClient, heldId, renewed);
        Assert.Contains(await tenant.AuditAsync(), e => e.Event.Action == "quarantine-release" && e.Event.Subject == heldId && e.Event.Details!["finding"] == firstId);
        foreach (var d in devices) await d.Client.DisposeAsync();
        Assert.NotEqual(cappedResult.Issued.SerialNumber, cappedRenewed.Issued.SerialNumber);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PCRs_that_drift_under_the_same_release_are_found_and_announced_and_alert_only_acts_on_nothing()
    {
        await using var tenant = await NewTenantAsync();
        var release = FirmwareSamplesOnDisk.Manifest("1.1.0");
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var enrollment = new TpmEnrollment(Tpm, options with { EventLog = await RebootIntoAsync(release, "1.1.0") });
        var deviceId = await enrollment.ReadDeviceIdAsync();
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await service.ConnectAsync(deviceId)) enrolled = await enrollment.EnrollAsync(enrolmentOnly);
        await using var client = await service.ConnectAuthenticatedAsync(enrollment, enrolled);

        // the next boot measures the bootloader twice: the same components (still 1.1.0 to the release match), other PCR 0
        var twice = release with { Components = [release.Components[0], .. release.Components] };
        var drifted = new TpmEnrollment(Tpm, options with { EventLog = await RebootIntoAsync(twice, "1.1.0") });
        var renewed = await drifted.RenewAsync(client, enrolled.DeviceKey, enrolled.Issued.SerialNumber);

        var finding = await tenant.FindingAsync("FirmwareDrift");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([deviceId], WatchedTenant.Devices(finding));
        Assert.Equal("acme-sensor 1.1.0", finding["evidence"]!["release"]!.GetValue<string>());
        Assert.NotEqual(finding["evidence"]!["pcrs-before"]!.GetValue<string>(), finding["evidence"]!["pcrs-now"]!.GetValue<string>());
        await tenant.AssertLinkedAsync(finding, e => e.Event.Subject == deviceId && e.Event is { Action: "attest", Outcome: "issued" }
            && e.Event.Details!["serial"].Equals(renewed.Issued.SerialNumber, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(("FirmwareDrift", "alert"), ((await tenant.WebhookAsync(findingId))["kind"]!.GetValue<string>(), finding["remediation"]!.GetValue<string>()));
        Assert.Empty(await tenant.RemediationsAsync(findingId));
        Assert.DoesNotContain(await tenant.SettledFindingsAsync(), f => f["kind"]!.GetValue<string>() == "FirmwareDowngrade");

        // alert only: the device keeps renewing
        await drifted.RenewAsync(client, renewed.DeviceKey, renewed.Issued.SerialNumber);
    }
}
