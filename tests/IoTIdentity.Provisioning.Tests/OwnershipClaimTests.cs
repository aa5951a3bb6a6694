using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Protocol.Ownership;
using IoTIdentity.Provisioning.Grains;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Who owns a device (<c>docs/trust-model.md</c>), end to end with real swtpm devices, each test named after the
/// property it protects: an owned device resolves to its owner whatever another tenant configures, an unowned one is
/// claimed by the scope it names and never by whichever tenant is first, and a transfer's old owner is cut off even
/// when the new owner stops the device before it re-enrols. Every tenant here trusts this bench's own manufacturer.
/// </summary>
public sealed class OwnershipClaimTests(ServiceFixture service) : SwtpmBench, IClassFixture<ServiceFixture>
{
    private const int TestTimeout = 120_000;

    private Task<TestTenant> NewTenantAsync(string prefix) => service.CreateTenantAsync($"{prefix}-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer]);

    private async Task<(TpmEnrollmentOptions Options, string DeviceId)> NewDeviceAsync()
    {
        var options = await VirtualDevices.ManufactureAsync(Tpm, Manufacturer);
        return (options, await new TpmEnrollment(Tpm, options).ReadDeviceIdAsync());
    }

    private async Task<EnrollmentResult> EnrollAsync(TpmEnrollmentOptions options, string deviceId, string? scope = null)
    {
        await using var client = await service.ConnectAsync(deviceId);
        return await new TpmEnrollment(Tpm, options with { EnrollmentScope = scope }).EnrollAsync(client);
    }

    /// <summary>Renews <paramref name="current"/> on the session its certificate authenticates, as the device does.</summary>
    private async Task<EnrollmentResult> RenewAsync(TpmEnrollmentOptions options, EnrollmentResult current)
    {
        var enrollment = new TpmEnrollment(Tpm, options);
        await using var client = await service.ConnectAuthenticatedAsync(enrollment, current);
        return await enrollment.RenewAsync(client, current.DeviceKey, current.Issued.SerialNumber);
    }

    private static async Task<HttpResponseMessage> PutIndividualAsync(TestTenant tenant, string deviceId)
    {
        using var http = tenant.Http;
        return await http.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" });
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Nothing_another_tenant_configures_changes_an_owned_devices_renewals()
    {
        var a = await NewTenantAsync("own-a");
        var (options, deviceId) = await NewDeviceAsync();
        var enrolled = await EnrollAsync(options, deviceId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);

        // B trusts the same vendor root and asks for the device individually
        var b = await NewTenantAsync("own-b");
        using var response = await PutIndividualAsync(b, deviceId);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Conflict", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
        using (var bHttp = b.Http)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/individual-enrollments/{deviceId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{deviceId}")).StatusCode);
        }

        // the owner's device renews, and enrols again, as before — unscoped and naming B's scope alike
        enrolled = await RenewAsync(options, enrolled);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        enrolled = await EnrollAsync(options, deviceId, scope: b.TenantId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        enrolled = await RenewAsync(options, enrolled);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);

        var aAudit = (await service.ReadAuditLogAsync(a.TenantId)).Where(e => e.Event.Subject == deviceId).ToList();
        Assert.Equal(4, aAudit.Count(e => e.Event.Outcome == "issued"));
        Assert.DoesNotContain(aAudit, e => e.Event.Outcome.StartsWith("refused:", StringComparison.Ordinal));
        // B's log holds its own refused request and nothing of the device's renewals or enrolments
        var bAudit = (await service.ReadAuditLogAsync(b.TenantId)).Where(e => e.Event.Subject == deviceId).ToList();
        Assert.Equal([(AuditActions.IndividualEnrollmentSet, "refused:Conflict")], bAudit.Select(e => (e.Event.Action, e.Event.Outcome)));
        Assert.Equal("the device belongs to another tenant", bAudit[0].Event.Details!["reason"]);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_unowned_unscoped_device_that_several_tenants_admit_is_refused_as_AmbiguousOwner_and_claimed_by_its_scope()
    {
        var a = await NewTenantAsync("amb-a");
        var b = await NewTenantAsync("amb-b");
        var (options, deviceId) = await NewDeviceAsync();

        await Refusals.ExpectAsync(ProvisioningError.AmbiguousOwner, () => EnrollAsync(options, deviceId));

        await Refusals.AssertRefusedAsync(service, a, deviceId, ProvisioningError.AmbiguousOwner, a.TenantId);
        await Refusals.AssertRefusedAsync(service, b, deviceId, ProvisioningError.AmbiguousOwner, b.TenantId);
        await Refusals.AssertAuditedAsync(service, AuditTrail.Unassigned, deviceId, ProvisioningError.AmbiguousOwner);

        // configured with its owner's scope, the device enrols there; owned, it renews and re-enrols without one
        var enrolled = await EnrollAsync(options, deviceId, scope: a.TenantId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        enrolled = await RenewAsync(options, enrolled);
        enrolled = await EnrollAsync(options, deviceId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        Assert.Equal(HttpStatusCode.Conflict, (await PutIndividualAsync(b, deviceId)).StatusCode);
        using var bHttp = b.Http;
        Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{deviceId}")).StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_individual_enrolment_alone_does_not_claim_an_unowned_device()
    {
        var a = await NewTenantAsync("sq-a");
        var (options, deviceId) = await NewDeviceAsync();
        // B gets in first with an individual enrolment for a device it does not hold
        var b = await NewTenantAsync("sq-b");
        Assert.Equal(HttpStatusCode.OK, (await PutIndividualAsync(b, deviceId)).StatusCode);

        await Refusals.ExpectAsync(ProvisioningError.AmbiguousOwner, () => EnrollAsync(options, deviceId));
        await Refusals.AssertRefusedAsync(service, b, deviceId, ProvisioningError.AmbiguousOwner, b.TenantId);
        await Refusals.AssertRefusedAsync(service, a, deviceId, ProvisioningError.AmbiguousOwner, a.TenantId);

        // the device names its owner's scope: B's enrolment is not consulted, and does not follow it into renewals
        var enrolled = await EnrollAsync(options, deviceId, scope: a.TenantId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        enrolled = await RenewAsync(options, enrolled);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        using var bHttp = b.Http;
        Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{deviceId}")).StatusCode);
        Assert.DoesNotContain(await service.ReadAuditLogAsync(b.TenantId), e => e.Event.Subject == deviceId && e.Event.Outcome == "issued");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_device_presenting_the_claim_code_its_buyer_enrolled_is_the_buyers_whoever_else_trusts_its_vendor()
    {
        var a = await NewTenantAsync("cc-a");
        var b = await NewTenantAsync("cc-b");
        var (options, deviceId) = await NewDeviceAsync();
        const string code = "K7Q2-9XWD-44PM";
        using (var aHttp = a.Http)
        {
            var put = await aHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}",
                new { groupId = "default", claimCodeSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(code))) });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Null(JsonNode.Parse(await put.Content.ReadAsStringAsync())!["claimCodeSha256"]);
        }

        // a wrong code proves nothing: two tenants admit the device
        await Refusals.ExpectAsync(ProvisioningError.AmbiguousOwner, () => EnrollAsync(options with { ClaimCode = "K7Q2-9XWD-44PN" }, deviceId));
        await Refusals.AssertRefusedAsync(service, a, deviceId, ProvisioningError.AmbiguousOwner, a.TenantId);
        await Refusals.AssertRefusedAsync(service, b, deviceId, ProvisioningError.AmbiguousOwner, b.TenantId);

        var enrolled = await EnrollAsync(options with { ClaimCode = code }, deviceId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        Assert.Equal(a.TenantId, (await RenewAsync(options, enrolled)).Issued.Owner);
        Assert.Equal(HttpStatusCode.Conflict, (await PutIndividualAsync(b, deviceId)).StatusCode);
    }

    /// <summary>
    /// Orders of the owner's (<c>a</c>) and two other tenants' (<c>b</c>, <c>c</c>; <c>c</c>'s default group is
    /// individual-only) individual enrolment PUTs and DELETEs (<c>-b</c>), the device's first enrolment naming its
    /// owner's scope (<c>e</c>) and its renewal (<c>r</c>). The owner's default group admits only individually
    /// enrolled devices, the case where an enrolment held by someone else would lock the device out.
    /// </summary>
    [Theory(Timeout = TestTimeout)]
    [InlineData("b a e r")]
    [InlineData("a b e r")]
    [InlineData("b c a e r")]
    [InlineData("c b -b a e b r")]
    [InlineData("a e b c -b r")]
    [InlineData("b -b c a b e r")]
    public async Task Another_tenants_individual_enrolment_never_makes_the_owners_put_conflict_nor_changes_its_device(string order)
    {
        var a = await service.CreateTenantAsync($"slot-a-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer], p => p with { IndividualOnly = true });
        var others = new Dictionary<string, TestTenant>
        {
            ["b"] = await NewTenantAsync("slot-b"),
            ["c"] = await service.CreateTenantAsync($"slot-c-{Guid.NewGuid():N}"[..20], [Manufacturer.RootDer], p => p with { IndividualOnly = true }),
        };
        using var aHttp = a.Http;
        var rootPem = new string(PemEncoding.Write("CERTIFICATE", Manufacturer.RootDer));
        using (var group = await aHttp.PutAsJsonAsync("/api/v1/enrollment-groups/line-1", new { trustedRootsPem = new[] { rootPem }, individualOnly = true }))
            Assert.Equal(HttpStatusCode.OK, group.StatusCode);
        var (options, deviceId) = await NewDeviceAsync();
        EnrollmentResult? enrolled = null;
        var holding = new HashSet<string>();

        foreach (var step in order.Split(' '))
        {
            switch (step)
            {
                case "a":
                    using (var put = await aHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "line-1" }))
                        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                    break;
                case "e":
                    enrolled = await EnrollAsync(options, deviceId, scope: a.TenantId);
                    Assert.Equal(a.TenantId, enrolled.Issued.Owner);
                    break;
                case "r":
                    enrolled = await RenewAsync(options, enrolled!);
                    Assert.Equal(a.TenantId, enrolled.Issued.Owner);
                    break;
                case ['-', var who]:
                    // a tenant deletes only its own slot: one it never got (its PUT came after the device was owned) is not found
                    using (var http = others[who.ToString()].Http)
                        Assert.Equal(holding.Remove(who.ToString()) ? HttpStatusCode.NoContent : HttpStatusCode.NotFound,
                            (await http.DeleteAsync($"/api/v1/individual-enrollments/{deviceId}")).StatusCode);
                    break;
                default:
                    // before the device is owned another tenant's enrolment is its own slot; once owned, Conflict and nothing kept
                    using (var put = await PutIndividualAsync(others[step], deviceId))
                        Assert.Equal(enrolled is null ? HttpStatusCode.OK : HttpStatusCode.Conflict, put.StatusCode);
                    if (enrolled is null) holding.Add(step);
                    break;
            }
        }

        var own = await aHttp.GetFromJsonAsync<JsonObject>($"/api/v1/individual-enrollments/{deviceId}");
        Assert.Equal("line-1", own!["groupId"]!.GetValue<string>());
        var view = await aHttp.GetFromJsonAsync<DeviceDetails>($"/api/v1/devices/{deviceId}");
        Assert.Equal(enrolled!.Issued.SerialNumber, view!.CertificateSerial);
        Assert.Equal("line-1", view.GroupId);
        foreach (var other in others.Values)
        {
            using var http = other.Http;
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/devices/{deviceId}")).StatusCode);
            Assert.Null(await service.Store.GetDeviceAsync(other.TenantId, deviceId));
            Assert.DoesNotContain(await service.ReadAuditLogAsync(other.TenantId), e => e.Event.Subject == deviceId && e.Event.Outcome == "issued");
        }
        Assert.DoesNotContain(await service.ReadAuditLogAsync(a.TenantId), e => e.Event.Subject == deviceId && e.Event.Outcome.StartsWith("refused:", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every kind of configuration another tenant can make about a device it does not own — tenant-wide roots, a group
    /// trusting the device's vendor (plain or individual-only), an individual enrolment, one with a claim code, an
    /// ownership voucher its manufacturer really signed — leaves the owned device's renewals and re-enrolments with
    /// its owner, unrefused. The other tenant's log holds nothing about the device but its own refused attempt (a
    /// Conflict, who and why), which names neither the owner nor anything of the owner's.
    /// </summary>
    [Theory(Timeout = TestTimeout)]
    [InlineData("tenant-roots")]
    [InlineData("group")]
    [InlineData("individual-only-group")]
    [InlineData("individual-enrollment")]
    [InlineData("claim-code")]
    [InlineData("voucher")]
    public async Task No_kind_of_configuration_another_tenant_makes_changes_an_owned_devices_renewals(string kind)
    {
        var a = await NewTenantAsync("cfg-a");
        var (options, deviceId) = await NewDeviceAsync();
        var enrolled = await EnrollAsync(options, deviceId);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        // B starts trusting nothing, so each kind is the only thing it configured
        var b = await service.CreateTenantAsync($"cfg-b-{Guid.NewGuid():N}"[..20], []);
        using var bHttp = b.Http;
        var rootPem = new string(PemEncoding.Write("CERTIFICATE", Manufacturer.RootDer));
        const string code = "CLAIM-CODE-1";
        HttpStatusCode expected;
        HttpResponseMessage response = kind switch
        {
            "tenant-roots" => await bHttp.PutAsJsonAsync("/api/v1/tenant/manufacturer-roots", new { certificatesPem = new[] { rootPem } }),
            "group" => await bHttp.PutAsJsonAsync("/api/v1/enrollment-groups/vendor", new { trustedRootsPem = new[] { rootPem } }),
            "individual-only-group" => await bHttp.PutAsJsonAsync("/api/v1/enrollment-groups/vendor", new { trustedRootsPem = new[] { rootPem }, individualOnly = true }),
            "individual-enrollment" => await bHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "default" }),
            "claim-code" => await bHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}",
                new { groupId = "default", claimCodeSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code))) }),
            // a voucher needs a signer B trusts: B trusts the vendor first (allowed), then uploads one the vendor really signed
            "voucher" => (await bHttp.PutAsJsonAsync("/api/v1/tenant/manufacturer-roots", new { certificatesPem = new[] { rootPem } })).IsSuccessStatusCode
                ? await PutVoucherAsync(bHttp, b, deviceId) : throw new InvalidOperationException("B could not trust the vendor"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        using (response)
        {
            expected = kind is "tenant-roots" or "group" or "individual-only-group" ? HttpStatusCode.OK : HttpStatusCode.Conflict;
            Assert.True(expected == response.StatusCode, $"{kind}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // renewal, re-enrolment unscoped, naming B's scope, and presenting B's claim code: all the owner's
        enrolled = await RenewAsync(options, enrolled);
        Assert.Equal(a.TenantId, enrolled.Issued.Owner);
        Assert.Equal(a.TenantId, (await EnrollAsync(options, deviceId)).Issued.Owner);
        Assert.Equal(a.TenantId, (await EnrollAsync(options with { ClaimCode = code }, deviceId, scope: b.TenantId)).Issued.Owner);

        Assert.DoesNotContain(await service.ReadAuditLogAsync(a.TenantId), e => e.Event.Subject == deviceId && e.Event.Outcome.StartsWith("refused:", StringComparison.Ordinal));
        var aboutIt = (await service.ReadAuditLogAsync(b.TenantId)).Where(e => e.Event.Subject == deviceId).ToList();
        if (expected == HttpStatusCode.Conflict)
        {
            var refused = Assert.Single(aboutIt);
            Assert.Equal(kind == "voucher" ? AuditActions.OwnershipVoucherSet : AuditActions.IndividualEnrollmentSet, refused.Event.Action);
            Assert.Equal("refused:Conflict", refused.Event.Outcome);
            Assert.StartsWith("api-key:", refused.Event.Actor);
            Assert.Equal("OwnerAdmin", refused.Event.Details!["role"]);
            Assert.False(string.IsNullOrEmpty(refused.Event.Details["reason"]));
            var written = System.Text.Json.JsonSerializer.Serialize(refused);
            Assert.DoesNotContain(a.TenantId, written);
            Assert.DoesNotContain(enrolled.Issued.SerialNumber, written);
        }
        else Assert.Empty(aboutIt);
        Assert.Equal(HttpStatusCode.NotFound, (await bHttp.GetAsync($"/api/v1/devices/{deviceId}")).StatusCode);
    }

    /// <summary>B's voucher for the device, signed by the device's own manufacturer for B's ownership key.</summary>
    private async Task<HttpResponseMessage> PutVoucherAsync(HttpClient http, TestTenant tenant, string deviceId)
    {
        var pem = await service.Http.GetStringAsync($"/api/v1/tenants/{tenant.TenantId}/ownership-key");
        var ownerKey = Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]);
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return await http.PutAsJsonAsync($"/api/v1/ownership-vouchers/{deviceId}",
            OwnershipVouchers.Create(deviceId, ownerKey, signer, Manufacturer.IssueSigningCertificate(signer)));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_tenant_shows_the_enrolment_scope_its_devices_name()
    {
        var a = await NewTenantAsync("scope");
        using var http = a.Http;
        var tenant = await http.GetFromJsonAsync<JsonObject>("/api/v1/tenant");
        Assert.Equal(a.TenantId, tenant!["enrollmentScope"]!.GetValue<string>());
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("disable")]
    [InlineData("revoke")]
    public async Task A_transfer_cuts_the_old_owner_off_even_when_the_new_owner_stops_the_device_before_it_reenrols(string action)
    {
        var a = await NewTenantAsync("xo-a");
        var (options, deviceId) = await NewDeviceAsync();
        var enrolled = await EnrollAsync(options, deviceId);
        var oldSerial = enrolled.Issued.SerialNumber;
        var c = await NewTenantAsync("xo-c");
        using var aHttp = a.Http;
        using var cHttp = c.Http;
        var created = await aHttp.PostAsJsonAsync("/api/v1/transfers",
            new { targetTenantId = c.TenantId, deviceIds = new[] { deviceId }, revokeOldCertificateAt = TransferPolicies.Reenrollment });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var transferId = (await created.Content.ReadFromJsonAsync<TransferView>())!.TransferId;
        Assert.True((await cHttp.PostAsJsonAsync($"/api/v1/transfers/{transferId}/accept", new { })).IsSuccessStatusCode);
        await TransferPolling.WaitForAsync(cHttp, transferId, v => v.Counts.CommandSent + v.Counts.Reenrolled > 0, TimeSpan.FromSeconds(20), "accepted");

        // the new owner stops the device before it re-enrolled
        var stopped = action == "disable"
            ? await cHttp.PostAsync($"/api/v1/devices/{deviceId}/disable", null)
            : await cHttp.PostAsJsonAsync($"/api/v1/devices/{deviceId}/revoke", new { reason = "keyCompromise" });
        Assert.True(stopped.IsSuccessStatusCode, $"{action}: {stopped.StatusCode}");

        var certificate = await aHttp.GetFromJsonAsync<JsonObject>($"/api/v1/certificates/{oldSerial}");
        Assert.True(certificate!["revoked"]!.GetValue<bool>(), $"the old owner's certificate after {action}: {certificate}");
        Assert.Contains(await service.ReadAuditLogAsync(a.TenantId), e => e.Event.Subject == deviceId && e.Event.Action == "transfer-revoke");
        // the old certificate opens no session to renew on, and the stopped device gets nothing
        await Refusals.ExpectAsync(ProvisioningError.NotAuthorized, () => RenewAsync(options, enrolled));
        await Refusals.ExpectAsync(action == "disable" ? ProvisioningError.Disabled : ProvisioningError.Revoked, () => EnrollAsync(options, deviceId));
        await Refusals.AssertAuditedAsync(service, c.TenantId, deviceId, action == "disable" ? ProvisioningError.Disabled : ProvisioningError.Revoked);
        if (action == "revoke") return;

        // re-enabled by its new owner, the device enrols for it and renews
        Assert.True((await cHttp.PostAsync($"/api/v1/devices/{deviceId}/enable", null)).IsSuccessStatusCode);
        var moved = await EnrollAsync(options, deviceId);
        Assert.Equal(c.TenantId, moved.Issued.Owner);
        Assert.Equal(c.TenantId, (await RenewAsync(options, moved)).Issued.Owner);
    }
}
