using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Simulator.Swtpm.Manufacturing;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Monitoring end to end with real swtpm devices against the real service: the misbehaviour, the finding (linked to
/// the audit entries behind it), the signed webhook delivered to a real HTTP receiver (Kestrel on loopback), the
/// remediation applied, and its audit entries; and a healthy device's enrolment and renewals opening nothing.
/// </summary>
public sealed class MonitoringEndToEndTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private Task<TestTenant> NewTenantAsync() => service.CreateTenantAsync($"mon-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);

    private async Task<(TpmEnrollment Enrollment, string DeviceId)> NewDeviceAsync()
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, Manufacturer));
        return (enrollment, await enrollment.ReadDeviceIdAsync());
    }

    /// <summary>Registers the receiver as the tenant's webhook; returns its secret.</summary>
    private static async Task<byte[]> SubscribeAsync(HttpClient http, WebhookReceiver receiver)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return Convert.FromBase64String(created["secret"]!.GetValue<string>());
    }

    private static async Task SetRemediationAsync(HttpClient http, string kind, string action)
    {
        using var response = await http.PutAsJsonAsync("/api/v1/monitoring/policy", new { remediation = new Dictionary<string, string> { [kind] = action } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Polls the findings of <paramref name="kind"/> until one satisfies <paramref name="done"/>.</summary>
    private static async Task<JsonNode> FindingAsync(HttpClient http, string kind, Func<JsonNode, bool>? done = null)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/findings?kind={kind}"))!;
            if (page["items"]!.AsArray().FirstOrDefault(f => done is null || done(f!)) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {kind} finding within {Wait}: {page.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The webhook is signed with the secret over its timestamp and body, and announces the finding.</summary>
    private static JsonNode AssertSigned(ReceivedWebhook webhook, byte[] secret, string findingId)
    {
        var timestamp = long.Parse(webhook.Header(WebhookSignature.TimestampHeader)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(WebhookSignature.Verify(secret, timestamp, webhook.Body, webhook.Header(WebhookSignature.SignatureHeader)!), "the signature does not verify");
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, 0, 60);
        var payload = JsonNode.Parse(webhook.Body)!;
        Assert.Equal("finding.opened", payload["event"]!.GetValue<string>());
        Assert.Equal(findingId, payload["findingId"]!.GetValue<string>());
        return payload;
    }

    private static List<long> Sequences(JsonNode finding) => finding["auditSequences"]!.AsArray().Select(n => n!.GetValue<long>()).ToList();

    [Fact(Timeout = TestTimeout)]
    public async Task A_clone_renewing_with_the_devices_old_certificate_is_found_quarantined_and_announced_and_an_operator_releases_it()
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        await using var receiver = await WebhookReceiver.StartAsync();
        var secret = await SubscribeAsync(http, receiver);
        await SetRemediationAsync(http, "CloneSuspected", "Quarantine");
        receiver.FailNext(1);                                  // the first attempt fails: the delivery is retried
        var (enrollment, deviceId) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        var first = await enrollment.EnrollAsync(client);
        var second = await enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber);

        // the clone holds a copy of the first identity and tries to renew with it
        await Refusals.ExpectAsync(ProvisioningError.RenewalNotAuthorized, () => enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber));

        var finding = await FindingAsync(http, "CloneSuspected", f => f["remediation"]!.GetValue<string>() == "quarantine");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([deviceId], finding["devices"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("Critical", finding["severity"]!.GetValue<string>());
        Assert.Equal(first.Issued.SerialNumber, finding["evidence"]!["presented-serial"]!.GetValue<string>(), ignoreCase: true);
        var log = await service.ReadAuditLogAsync(tenant.TenantId);
        var refused = log.Single(e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{ProvisioningError.RenewalNotAuthorized}");
        Assert.Contains(refused.Sequence, Sequences(finding));
        Assert.Contains(log, e => e.Event.Action == "quarantine" && e.Event.Subject == deviceId && e.Event.Details!["finding"] == findingId);
        Assert.Contains(log, e => e.Event.Action == "remediation" && e.Event.Outcome == "quarantined" && e.Event.Details!["finding"] == findingId);

        var webhook = await receiver.NextDeliveredAsync(Wait);
        var payload = AssertSigned(webhook, secret, findingId);
        Assert.Equal("CloneSuspected", payload["kind"]!.GetValue<string>());
        Assert.Equal("quarantine", payload["remediation"]!.GetValue<string>());
        var attempts = receiver.All.Where(r => r.Header(WebhookSignature.DeliveryHeader) == webhook.Header(WebhookSignature.DeliveryHeader)).ToList();
        Assert.Equal([503, 204], attempts.Select(a => a.AnsweredStatus));
        var delivery = await DeliveryAsync(http, findingId);
        Assert.Equal((true, 2, 204), (delivery["delivered"]!.GetValue<bool>(), delivery["attempts"]!.GetValue<int>(), delivery["statusCode"]!.GetValue<int>()));

        // quarantined: the genuine device's renewal is refused until an operator releases it, then it renews
        await Refusals.ExpectAsync(ProvisioningError.Disabled, () => enrollment.RenewAsync(client, second.DeviceKey, second.Issued.SerialNumber));
        using (var release = await http.PostAsync($"/api/v1/devices/{deviceId}/release", null))
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        var third = await enrollment.RenewAsync(client, second.DeviceKey, second.Issued.SerialNumber);
        Assert.NotEqual(second.Issued.SerialNumber, third.Issued.SerialNumber);
        Assert.Contains(await service.ReadAuditLogAsync(tenant.TenantId), e => e.Event.Action == "quarantine-release" && e.Event.Subject == deviceId);
    }

    private static async Task<JsonNode> DeliveryAsync(HttpClient http, string findingId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var page = JsonNode.Parse(await http.GetStringAsync("/api/v1/webhooks/deliveries"))!;
            if (page["items"]!.AsArray().FirstOrDefault(d => d!["findingId"]!.GetValue<string>() == findingId) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no delivery of {findingId} logged: {page.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_revoked_device_that_keeps_knocking_is_found_announced_and_linked_to_its_refusals_and_a_healthy_device_opens_nothing()
    {
        var tenant = await NewTenantAsync();
        using var http = tenant.Http;
        await using var receiver = await WebhookReceiver.StartAsync();
        var secret = await SubscribeAsync(http, receiver);

        // a healthy device first: enrolment and two renewals
        var (healthy, healthyId) = await NewDeviceAsync();
        await using (var healthyClient = await service.ConnectAsync(healthyId))
        {
            var enrolled = await healthy.EnrollAsync(healthyClient);
            var renewed = await healthy.RenewAsync(healthyClient, enrolled.DeviceKey, enrolled.Issued.SerialNumber);
            await healthy.RenewAsync(healthyClient, renewed.DeviceKey, renewed.Issued.SerialNumber);
        }

        var (knocker, deviceId) = await NewDeviceAsync();
        await using var client = await service.ConnectAsync(deviceId);
        await knocker.EnrollAsync(client);
        using (var revoke = await http.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "keyCompromise" }))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await using var again = await service.ConnectAsync(deviceId);
        for (var i = 0; i < 3; i++) await Refusals.ExpectAsync(ProvisioningError.Revoked, () => knocker.EnrollAsync(again));

        var finding = await FindingAsync(http, "RevokedDeviceRetrying");
        var findingId = finding["id"]!.GetValue<string>();
        Assert.Equal([deviceId], finding["devices"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("alert", finding["remediation"]!.GetValue<string>());
        var refusals = (await service.ReadAuditLogAsync(tenant.TenantId))
            .Where(e => e.Event.Subject == deviceId && e.Event.Outcome == $"refused:{ProvisioningError.Revoked}").Select(e => e.Sequence).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.Contains(Sequences(finding), refusals.Contains);
        AssertSigned(await receiver.NextDeliveredAsync(Wait), secret, findingId);

        // the healthy device's events came first in the tenant's stream, and opened nothing
        var all = JsonNode.Parse(await http.GetStringAsync("/api/v1/findings"))!["items"]!.AsArray();
        Assert.Equal([findingId], all.Select(f => f!["id"]!.GetValue<string>()));
        using (var sweep = await http.PostAsync("/api/v1/findings/sweep", null)) Assert.Equal(HttpStatusCode.NoContent, sweep.StatusCode);
        Assert.Single(JsonNode.Parse(await http.GetStringAsync("/api/v1/findings"))!["items"]!.AsArray());
    }
}
