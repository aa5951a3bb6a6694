using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The rate detectors end to end with real swtpm devices: a group's devices failing attestation above the policy's
/// rate, and a burst of first enrolments of one group (one vendor root's devices) and from one address. Each finding names every device of
/// its window and links every audit entry behind it.
/// </summary>
public sealed class FleetMonitoringEndToEndTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 150_000;

    private async Task<(TpmEnrollment Enrollment, string DeviceId)> NewDeviceAsync()
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        return (enrollment, await enrollment.ReadDeviceIdAsync());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Renewals_of_a_groups_devices_failing_with_wrong_PCRs_above_the_rate_are_found_and_every_failing_device_is_quarantined()
    {
        await using var tenant = await WatchedTenant.CreateAsync(service, Manufacturer.RootDer);
        await tenant.SetPolicyAsync(new
        {
            attestationFailureThreshold = 3, attestationFailureWindow = "00:05:00", remediation = new Dictionary<string, string> { ["AttestationFailures"] = "Quarantine" },
        });
        var fleet = new List<(TpmEnrollment Enrollment, string DeviceId, EnrollmentClient Client, EnrollmentResult Result)>();
        for (var i = 0; i < 3; i++)
        {
            var (enrollment, deviceId) = await NewDeviceAsync();
            EnrollmentResult result;
            await using (var enrolmentOnly = await service.ConnectAsync(deviceId)) result = await enrollment.EnrollAsync(enrolmentOnly);
            fleet.Add((enrollment, deviceId, await service.ConnectAuthenticatedAsync(enrollment, result), result));
        }

        // each renewal sends PCR values that are not the quoted ones
        foreach (var (enrollment, _, client, result) in fleet)
        {
            var tampered = new TamperingChannel(client) { Attest = a => a with { PcrValues = [.. a.PcrValues.Select(v => v with { Digest = SHA256.HashData(v.Digest) })] } };
            await Refusals.ExpectAsync(ProvisioningError.QuoteInvalid, () => enrollment.RenewAsync(tampered, result.DeviceKey, result.Issued.SerialNumber));
        }

        var ids = fleet.Select(d => d.DeviceId).ToList();
        var finding = await tenant.FindingAsync("AttestationFailures", f => f["remediation"]!.GetValue<string>() == "quarantine" && WatchedTenant.Devices(f).Count == 3);
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal(ids, WatchedTenant.Devices(finding));
        Assert.Equal(("High", "default", "QuoteInvalid", "3"), (finding["severity"]!.GetValue<string>(), finding["evidence"]!["group"]!.GetValue<string>(),
            finding["evidence"]!["reason"]!.GetValue<string>(), finding["evidence"]!["failures"]!.GetValue<string>()));
        var behind = await tenant.AssertLinkedAsync(finding, e => ids.Contains(e.Event.Subject) && e.Event.Outcome == $"refused:{ProvisioningError.QuoteInvalid}");
        Assert.Equal(ids, behind.Select(e => e.Event.Subject));
        var webhook = await tenant.WebhookAsync(findingId);
        Assert.Equal(("AttestationFailures", 3), (webhook["kind"]!.GetValue<string>(), webhook["devices"]!.AsArray().Count));

        // every failing device is held: one quarantine and one remediation entry each, honest renewals refused
        Assert.Equal(ids.Order(), (await tenant.RemediationsAsync(findingId)).Where(e => e.Event.Outcome == "quarantined").Select(e => e.Event.Subject).Order());
        var log = await tenant.AuditAsync();
        foreach (var (enrollment, deviceId, client, result) in fleet)
        {
            Assert.Contains(log, e => e.Event.Action == "quarantine" && e.Event.Subject == deviceId && e.Event.Details!["finding"] == findingId);
            await Refusals.ExpectAsync(ProvisioningError.Disabled, () => enrollment.RenewAsync(client, result.DeviceKey, result.Issued.SerialNumber));
            await client.DisposeAsync();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_burst_of_first_enrolments_of_one_vendor_roots_devices_from_one_address_is_found_by_group_and_by_address_and_renewals_do_not_count()
    {
        await using var tenant = await WatchedTenant.CreateAsync(service, Manufacturer.RootDer);
        await tenant.SetPolicyAsync(new { enrollmentBurstThreshold = 3, enrollmentBurstWindow = "00:10:00" });
        var fleet = new List<(TpmEnrollment Enrollment, string DeviceId, EnrollmentResult Result)>();
        for (var i = 0; i < 3; i++)
        {
            var (enrollment, deviceId) = await NewDeviceAsync();
            await using var client = await service.ConnectAsync(deviceId);
            fleet.Add((enrollment, deviceId, await enrollment.EnrollAsync(client)));
        }

        // all from this test's loopback address, all in one group: the group's burst and the address's
        var ids = fleet.Select(d => d.DeviceId).ToList();
        var findings = new List<string>();
        foreach (var (key, fact, value) in new[] { ("default", "group", "default"), ("address:127.0.0.1", "address", "127.0.0.1") })
        {
            var finding = await tenant.FindingAsync("EnrollmentBurst", f => f["key"]!.GetValue<string>() == key);
            var findingId = finding["id"]!.GetValue<string>();
            Assert.Equal(ids, WatchedTenant.Devices(finding));
            Assert.Equal(("Medium", value, "3", "alert"), (finding["severity"]!.GetValue<string>(), finding["evidence"]![fact]!.GetValue<string>(),
                finding["evidence"]!["enrolments"]!.GetValue<string>(), finding["remediation"]!.GetValue<string>()));
            var behind = await tenant.AssertLinkedAsync(finding, e => e.Event is { Action: "attest", Outcome: "issued" } && e.Event.Details!["mode"] == "enroll"
                && e.Event.Details["address"] == "127.0.0.1");
            Assert.Equal(ids, behind.Select(e => e.Event.Subject));
            Assert.Equal(value, (await tenant.WebhookAsync(findingId))["evidence"]![fact]!.GetValue<string>());
            Assert.Empty(await tenant.RemediationsAsync(findingId));
            findings.Add(findingId);
        }

        // the same devices renewing are not first enrolments: the finding does not grow, nothing else opens
        foreach (var (enrollment, deviceId, result) in fleet)
        {
            await using var client = await service.ConnectAuthenticatedAsync(enrollment, result);
            await enrollment.RenewAsync(client, result.DeviceKey, result.Issued.SerialNumber);
        }
        using (var sweep = await tenant.Http.PostAsync("/api/v1/findings/sweep", null)) Assert.True(sweep.IsSuccessStatusCode);
        var all = await tenant.SettledFindingsAsync();
        Assert.Equal(findings.Order(), all.Select(f => f["id"]!.GetValue<string>()).Order());
        Assert.All(all, f => Assert.Equal(1, f["count"]!.GetValue<int>()));
    }
}
