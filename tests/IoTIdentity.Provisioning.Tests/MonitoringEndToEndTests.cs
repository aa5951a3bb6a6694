using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Monitoring end to end with real swtpm devices against the real service: the misbehaviour, the finding (linked to
/// the audit entries behind it), the signed webhook delivered to a real HTTP receiver, the remediation applied, and its
/// audit entries; and a healthy device's enrolment and renewals opening nothing. Clones and revoked devices here;
/// firmware, fleet-wide rates and the inventory sweep in the other <c>*MonitoringEndToEndTests</c>.
/// </summary>
public sealed class MonitoringEndToEndTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private Task<WatchedTenant> NewTenantAsync() => WatchedTenant.CreateAsync(service, Manufacturer.RootDer);

    private async Task<(TpmEnrollment Enrollment, string DeviceId)> NewDeviceAsync()
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        return (enrollment, await enrollment.ReadDeviceIdAsync());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_clone_renewing_with_the_devices_old_certificate_is_found_quarantined_and_announced_and_an_operator_releases_it()
    {
        await using var tenant = await NewTenantAsync();
        await tenant.SetRemediationAsync("CloneSuspected", "Quarantine");
        tenant.Receiver.FailNext(1);                           // the first attempt fails: the delivery is retried
        var (enrollment, deviceId) = await NewDeviceAsync();
        EnrollmentResult first;
        await using (var enrolmentOnly = await service.ConnectAsync(deviceId)) first = await enrollment.EnrollAsync(enrolmentOnly);
        await using var client = await service.ConnectAuthenticatedAsync(enrollment, first);
        var second = await enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber);

        // the clone holds a copy of the first identity (whose certificate, superseded but not revoked, authenticated
        // the session) and tries to renew with it
        await Refusals.ExpectAsync(ProvisioningError.RenewalNotAuthorized, () => enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber));

        var finding = await tenant.FindingAsync("CloneSuspected", f => f["remediation"]!.GetValue<string>() == "quarantine");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([deviceId], WatchedTenant.Devices(finding));
        Assert.Equal("Critical", finding["severity"]!.GetValue<string>());
        Assert.Equal(first.Issued.SerialNumber, finding["evidence"]!["presented-serial"]!.GetValue<string>(), ignoreCase: true);
        await tenant.AssertLinkedAsync(finding, e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{ProvisioningError.RenewalNotAuthorized}");
        var log = await tenant.AuditAsync();
        Assert.Contains(log, e => e.Event.Action == "quarantine" && e.Event.Subject == deviceId && e.Event.Details!["finding"] == findingId);
        Assert.Equal(["quarantined"], (await tenant.RemediationsAsync(findingId)).Select(e => e.Event.Outcome));

        var webhook = await tenant.WebhookAsync(findingId);
        Assert.Equal("CloneSuspected", webhook["kind"]!.GetValue<string>());
        Assert.Equal("quarantine", webhook["remediation"]!.GetValue<string>());
        Assert.Equal([503, 204], tenant.Receiver.All.Where(r => JsonNode.Parse(r.Body)!["findingId"]!.GetValue<string>() == findingId).Select(a => a.AnsweredStatus));
        var delivery = await tenant.DeliveryAsync(findingId);
        Assert.Equal((true, 2, 204), (delivery["delivered"]!.GetValue<bool>(), delivery["attempts"]!.GetValue<int>(), delivery["statusCode"]!.GetValue<int>()));

        // quarantined: the genuine device's renewal is refused until an operator releases it, then it renews
        await Refusals.ExpectAsync(ProvisioningError.Disabled, () => enrollment.RenewAsync(client, second.DeviceKey, second.Issued.SerialNumber));
        using (var release = await tenant.Http.PostAsync($"/api/v1/devices/{deviceId}/release", null))
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        var third = await enrollment.RenewAsync(client, second.DeviceKey, second.Issued.SerialNumber);
        Assert.NotEqual(second.Issued.SerialNumber, third.Issued.SerialNumber);
        Assert.Contains(await tenant.AuditAsync(), e => e.Event.Action == "quarantine-release" && e.Event.Subject == deviceId);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_cloned_TPM_renewing_from_a_second_connection_is_found_and_revoked_with_the_policys_reason()
    {
        await using var tenant = await NewTenantAsync();
        await tenant.SetPolicyAsync(new { remediation = new Dictionary<string, string> { ["CloneSuspected"] = "Revoke" }, revocationReason = "privilegeWithdrawn" });
        var device = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        var genuine = new TpmEnrollment(Tpm, device);
        var deviceId = await genuine.ReadDeviceIdAsync();
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await service.ConnectAsync(deviceId)) enrolled = await genuine.EnrollAsync(enrolmentOnly);

        // the twin: a second swtpm started from the same provisioned state (a copied VM or TPM state file) has the
        // same seeds, so the same EK, the same device id, and the enrolled device key's blob loads in it
        await using var twinTpm = await SwtpmProcess.StartAsync();
        await using var twinClient = new TpmClient(twinTpm.Transport, ownsTransport: false);
        var twin = new TpmEnrollment(twinClient, device);
        Assert.Equal(deviceId, await twin.ReadDeviceIdAsync());

        // the genuine device renews on its session; the twin, from a session of its own that the copied certificate
        // authenticates (once the genuine one has closed: two at once would be the second-session signal), renews with what it copied
        EnrollmentResult renewed;
        await using (var genuineClient = await service.ConnectAuthenticatedAsync(genuine, enrolled))
            renewed = await genuine.RenewAsync(genuineClient, enrolled.DeviceKey, enrolled.Issued.SerialNumber);
        await using var twinConnection = await service.ConnectAuthenticatedAsync(twin, enrolled, TimeSpan.FromSeconds(10));
        // the twin is refused — or, when the revocation this refusal sets off closes its session before the answer
        // reaches it, left without one on a closed session; the audit entry linked below proves the refusal either way
        var attempt = await Record.ExceptionAsync(() => twin.RenewAsync(twinConnection, enrolled.DeviceKey, enrolled.Issued.SerialNumber));
        Assert.True(attempt is EnrollmentRefusedException { Error: ProvisioningError.RenewalNotAuthorized } || !twinConnection.IsConnected, $"{attempt}");

        var finding = await tenant.FindingAsync("CloneSuspected", f => f["remediation"]!.GetValue<string>() == "revoke");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([deviceId], WatchedTenant.Devices(finding));
        Assert.Equal("renewal-with-another-certificate", finding["evidence"]!["signal"]!.GetValue<string>());
        Assert.Equal((enrolled.Issued.SerialNumber.ToUpperInvariant(), renewed.Issued.SerialNumber.ToUpperInvariant()),
            (finding["evidence"]!["presented-serial"]!.GetValue<string>().ToUpperInvariant(), finding["evidence"]!["current-serial"]!.GetValue<string>().ToUpperInvariant()));
        await tenant.AssertLinkedAsync(finding, e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{ProvisioningError.RenewalNotAuthorized}");
        Assert.Equal("revoke", (await tenant.WebhookAsync(findingId))["remediation"]!.GetValue<string>());

        // revoked with the policy's reason, every certificate of the device; both copies are refused from now on
        var remediation = Assert.Single(await tenant.RemediationsAsync(findingId));
        Assert.Equal(("revoked", deviceId, "monitoring"), (remediation.Event.Outcome, remediation.Event.Subject, remediation.Event.Actor));
        Assert.Contains(await tenant.AuditAsync(), e => e.Event.Action == "revoke" && e.Event.Subject == deviceId && e.Event.Actor == "monitoring");
        foreach (var serial in new[] { enrolled.Issued.SerialNumber, renewed.Issued.SerialNumber })
        {
            var certificate = (await tenant.Http.GetFromJsonAsync<JsonObject>($"/api/v1/certificates/{serial}"))!;
            Assert.Equal((true, "privilegeWithdrawn"), (certificate["revoked"]!.GetValue<bool>(), certificate["reason"]!.GetValue<string>()));
        }
        // revocation closed the device's sessions; its certificate opens none again, and enrolling afresh is refused
        await Refusals.ExpectAsync(ProvisioningError.NotAuthorized, () => service.ConnectAuthenticatedAsync(genuine, renewed));
        await using var genuineAgain = await service.ConnectAsync(deviceId);
        await Refusals.ExpectAsync(ProvisioningError.Revoked, () => twin.EnrollAsync(genuineAgain));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_revoked_device_that_keeps_knocking_is_found_announced_and_linked_to_its_refusals_and_a_healthy_device_opens_nothing()
    {
        await using var tenant = await NewTenantAsync();

        // a healthy device first: enrolment and two renewals
        var (healthy, healthyId) = await NewDeviceAsync();
        EnrollmentResult enrolled;
        await using (var enrolmentOnly = await service.ConnectAsync(healthyId)) enrolled = await healthy.EnrollAsync(enrolmentOnly);
        await using (var healthyClient = await service.ConnectAuthenticatedAsync(healthy, enrolled))
        {
            var renewed = await healthy.RenewAsync(healthyClient, enrolled.DeviceKey, enrolled.Issued.SerialNumber);
            await healthy.RenewAsync(healthyClient, renewed.DeviceKey, renewed.Issued.SerialNumber);
        }

        var (knocker, deviceId) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        await knocker.EnrollAsync(client);
        using (var revoke = await tenant.Http.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "keyCompromise" }))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await using var again = await service.ConnectAsync(deviceId);
        for (var i = 0; i < 3; i++) await Refusals.ExpectAsync(ProvisioningError.Revoked, () => knocker.EnrollAsync(again));

        var finding = await tenant.FindingAsync("RevokedDeviceRetrying");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([deviceId], WatchedTenant.Devices(finding));
        Assert.Equal(("alert", "3"), (finding["remediation"]!.GetValue<string>(), finding["evidence"]!["attempts"]!.GetValue<string>()));
        await tenant.AssertLinkedAsync(finding, e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{ProvisioningError.Revoked}");
        Assert.Empty(await tenant.RemediationsAsync(findingId));     // alert only: no automatic action
        Assert.Equal("RevokedDeviceRetrying", (await tenant.WebhookAsync(findingId))["kind"]!.GetValue<string>());

        // the healthy device's events came first in the tenant's stream, and opened nothing
        using (var sweep = await tenant.Http.PostAsync("/api/v1/findings/sweep", null)) Assert.Equal(HttpStatusCode.NoContent, sweep.StatusCode);
        Assert.Equal([findingId], (await tenant.SettledFindingsAsync()).Select(f => f["id"]!.GetValue<string>()));
    }
}
