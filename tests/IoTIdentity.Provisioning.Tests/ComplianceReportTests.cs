using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The compliance report against the real service with real swtpm devices: what it says (JSON shape, HTML, the PDF's
/// text as pdftotext reads it, CSV), that the same data gives the same bytes, that a wrong period or format is refused
/// with a reason, that every role may read it and nobody without a key, and that another tenant's data never appears.
/// </summary>
public sealed class ComplianceReportTests(FleetFixture fleet) : IClassFixture<FleetFixture>
{
    private static readonly string[] Formats = ["html", "pdf", "json", "csv"];
    private static readonly string From = DateTimeOffset.UtcNow.AddDays(-2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
    private static readonly string To = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    /// <summary>
    /// A tenant with three enrolled devices, one of them revoked for key compromise, a second (disabled) enrolment group
    /// its owner-admin created through the API, and an auditor key.
    /// </summary>
    private async Task<(FleetTenant Tenant, string[] Devices, HttpClient Auditor)> FleetAsync()
    {
        var tenant = await fleet.NewTenantAsync();
        var devices = new[] { await fleet.EnrollDeviceAsync(tenant), await fleet.EnrollDeviceAsync(tenant), await fleet.EnrollDeviceAsync(tenant) };
        using (var admin = fleet.Service.ClientFor(tenant.AdminKey))
        using (var revoked = await admin.PostAsJsonAsync($"/api/v1/devices/{devices[2]}/revoke", new { reason = "keyCompromise" }))
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        using (var admin = fleet.Service.ClientFor(tenant.AdminKey))
        using (var group = await admin.PutAsJsonAsync("/api/v1/enrollment-groups/spare",
            new { trustedRootsPem = new[] { PemEncoding.WriteString("CERTIFICATE", tenant.Manufacturer.RootDer) }, enabled = false }))
            Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        return (tenant, devices, fleet.Service.ClientFor(await fleet.KeyAsync(tenant, ApiRole.Auditor)));
    }

    private static async Task<byte[]> ReportAsync(HttpClient http, string format, string from = "", string to = "")
    {
        using var response = await http.GetAsync($"/api/v1/reports/compliance?from={Uri.EscapeDataString(from.Length > 0 ? from : From)}&to={Uri.EscapeDataString(to.Length > 0 ? to : To)}&format={format}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, Encoding.UTF8.GetString(bytes));
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:", response.Headers.GetValues("Content-Digest").Single());
        return bytes;
    }

    [Fact]
    public async Task The_json_report_counts_the_fleet_its_certificates_policy_keys_and_checkpoint_and_carries_its_digest()
    {
        var (tenant, devices, auditor) = await FleetAsync();
        using var _ = auditor;
        var bytes = await ReportAsync(auditor, "json");
        var json = JsonNode.Parse(bytes)!;
        var report = json["report"]!;

        // the digest is over the report's bytes exactly as sent: from after "report": to before the closing brace
        var start = Encoding.UTF8.GetString(bytes).IndexOf("\"report\":", StringComparison.Ordinal) + "\"report\":".Length;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(start, bytes.Length - start - 1))), json["digest"]!.GetValue<string>());
        Assert.Equal(tenant.TenantId, report["tenantId"]!.GetValue<string>());
        var inventory = report["inventory"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["count"]!.GetValue<int>());
        Assert.Equal(new Dictionary<string, int> { ["Active"] = 2, ["Revoked"] = 1 }, inventory);
        var certificates = report["certificates"]!;
        Assert.Equal(3, certificates["issued"]!.GetValue<int>());
        Assert.Equal(0, certificates["renewed"]!.GetValue<int>());
        Assert.Equal(1, certificates["revoked"]!.GetValue<int>());
        Assert.Equal("keyCompromise", certificates["revokedByReason"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(3, report["days"]!.AsArray().Sum(d => d!["issued"]!.GetValue<int>()));
        Assert.Equal(["default", "spare"], report["policies"]!.AsArray().Select(p => p!["groupId"]!.GetValue<string>()));
        Assert.False(report["policies"]![1]!["enabled"]!.GetValue<bool>());
        var adminKeyId = report["apiKeys"]![0]!["keyId"]!.GetValue<string>();
        Assert.Contains(report["policyChanges"]!.AsArray(), c => c!["action"]!.GetValue<string>() == "group-create"
            && c["subject"]!.GetValue<string>() == "spare" && c["actor"]!.GetValue<string>() == $"api-key:{adminKeyId}");
        Assert.Contains(report["actions"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "revoke" && a["subject"]!.GetValue<string>() == devices[2]);
        Assert.Equal(2, report["firmware"]!["compliant"]!.GetValue<int>() + report["firmware"]!["nonCompliant"]!.GetValue<int>());
        Assert.Equal(["OwnerAdmin", "Auditor"], report["apiKeys"]!.AsArray().Select(k => k!["role"]!.GetValue<string>()));
        var chain = report["auditChain"]!;
        Assert.True(chain["intact"]!.GetValue<bool>());
        var checkpoint = chain["checkpoint"]!;
        // a new tenant keeps no checkpoint from before the period: the walk starts at entry 1 and reaches the signed head
        Assert.Null(chain["anchor"]);
        Assert.Equal(1, chain["firstSequence"]!.GetValue<long>());
        Assert.Equal(chain["lastSequence"]!.GetValue<long>(), checkpoint["size"]!.GetValue<long>());
        Assert.Equal(chain["entriesChecked"]!.GetValue<long>(), checkpoint["size"]!.GetValue<long>());
        using var check = await auditor.GetAsync("/api/v1/audit/checkpoint");
        Assert.Equal(checkpoint["signature"]!.GetValue<string>(), JsonNode.Parse(await check.Content.ReadAsStringAsync())!["signature"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_html_pdf_and_csv_say_the_same_things_and_print_the_digest()
    {
        var (tenant, devices, auditor) = await FleetAsync();
        using var _ = auditor;
        var digest = JsonNode.Parse(await ReportAsync(auditor, "json"))!["digest"]!.GetValue<string>();

        var html = Encoding.UTF8.GetString(await ReportAsync(auditor, "html"));
        Assert.Contains($"Compliance report: {tenant.TenantId}", html);
        Assert.Contains("@media print", html);
        Assert.Contains("<svg", html);
        Assert.Contains(digest, html);
        Assert.Contains(devices[2], html);
        Assert.Contains("keyCompromise", html);
        Assert.Contains("Hash chain intact", html);

        // pdftotext wraps long ids inside table cells: compare with the whitespace taken out
        var pdf = await PdfText.ReadAsync(await ReportAsync(auditor, "pdf"));
        var squeezed = string.Concat(pdf.Where(c => !char.IsWhiteSpace(c)));
        foreach (var text in new[] { "Compliance report", "1. Inventory", "2. Certificates", "3. Attestation policy", "4. Firmware compliance",
                     "5. Findings and actions", "6. Audit log", "7. API keys", "Hash chain intact", "keyCompromise", "Auditor" })
            Assert.Contains(text.Replace(" ", ""), squeezed);
        Assert.Contains(tenant.TenantId, squeezed);
        Assert.Contains(digest, squeezed);
        Assert.Contains("Issued at enrolment: 3. Renewed: 0. Revoked: 1.", pdf);

        var csv = Encoding.UTF8.GetString(await ReportAsync(auditor, "csv")).Split("\r\n");
        Assert.Equal("section,item,field,value", csv[0]);
        Assert.Equal($"digest,,sha256,{digest}", csv[1]);
        Assert.Contains("inventory,Revoked,count,1", csv);
        Assert.Contains("certificates,,issued,3", csv);
        Assert.Contains("certificates.revokedByReason,keyCompromise,count,1", csv);
        Assert.Contains($"tenantId,,,{tenant.TenantId}", csv);
    }

    [Fact]
    public async Task A_quarantined_clone_and_everything_done_about_it_are_in_every_format()
    {
        var tenant = await fleet.NewTenantAsync();
        var (deviceId, findingId) = await fleet.EnrollQuarantinedCloneAsync(tenant);
        using var admin = fleet.Service.ClientFor(tenant.AdminKey);
        var finding = JsonNode.Parse(await admin.GetStringAsync($"/api/v1/findings/{findingId}"))!;

        // an operator releases the device, acknowledges the finding and resolves it
        using (var release = await admin.PostAsync($"/api/v1/devices/{deviceId}/release", null)) Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        foreach (var step in new[] { "acknowledge", "resolve" })
            using (var changed = await admin.PostAsync($"/api/v1/findings/{findingId}/{step}", null)) Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        using var auditor = fleet.Service.ClientFor(await fleet.KeyAsync(tenant, ApiRole.Auditor));

        // JSON: the finding in the state it has now, its remediation, its device and the audit entries behind it
        var report = JsonNode.Parse(await ReportAsync(auditor, "json"))!["report"]!;
        var listed = Assert.Single(report["findings"]!.AsArray())!;
        Assert.Equal((findingId, "CloneSuspected", "Critical", "Resolved", "quarantine"),
            (listed["id"]!.GetValue<string>(), listed["kind"]!.GetValue<string>(), listed["severity"]!.GetValue<string>(),
             listed["state"]!.GetValue<string>(), listed["remediation"]!.GetValue<string>()));
        Assert.Equal([deviceId], listed["devices"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(finding["auditSequences"]!.AsArray().Select(n => n!.GetValue<long>()), listed["auditSequences"]!.AsArray().Select(n => n!.GetValue<long>()));

        // the actions, each an entry of the tenant's log cited by its sequence: the hold and the automatic remediation
        // naming the finding, then the operator's release, acknowledgement and resolution
        var actions = report["actions"]!.AsArray().Select(a => a!).ToList();
        var log = await fleet.Service.ReadAuditLogAsync(tenant.TenantId);
        Assert.All(actions, a => Assert.Contains(log, e => e.Sequence == a["sequence"]!.GetValue<long>() && e.Event.Action == a["action"]!.GetValue<string>()));
        static (string, string, string) Cited(JsonNode a) => (a["action"]!.GetValue<string>(), a["subject"]!.GetValue<string>(), a["outcome"]!.GetValue<string>());
        Assert.Equal([("quarantine", deviceId, "done"), ("remediation", deviceId, "quarantined")],
            actions.Where(a => a["actor"]!.GetValue<string>() == "monitoring").Select(Cited));
        Assert.All(actions.Where(a => a["actor"]!.GetValue<string>() == "monitoring"), a => Assert.Contains($"finding={findingId}", a["details"]!.GetValue<string>()));
        Assert.Equal([("quarantine-release", deviceId, "done"), ("finding", findingId, "acknowledged"), ("finding", findingId, "resolved")],
            actions.Where(a => a["actor"]!.GetValue<string>() != "monitoring").Select(Cited));

        // the same in the CSV, the HTML and the PDF's text (pdftotext wraps long ids inside cells: whitespace taken out)
        var csv = Encoding.UTF8.GetString(await ReportAsync(auditor, "csv")).Split("\r\n");
        foreach (var (field, value) in new[] { ("kind", "CloneSuspected"), ("state", "Resolved"), ("remediation", "quarantine") })
            Assert.Contains($"findings,{findingId},{field},{value}", csv);
        foreach (var format in new[] { "html", "pdf" })
        {
            var bytes = await ReportAsync(auditor, format);
            var text = string.Concat((format == "pdf" ? await PdfText.ReadAsync(bytes) : Encoding.UTF8.GetString(bytes)).Where(c => !char.IsWhiteSpace(c)));
            foreach (var expected in new[] { "Findingsseenintheperiod:1.", findingId, "CloneSuspected", "Resolved", deviceId, "quarantine-release", "acknowledged" })
                Assert.True(text.Contains(expected, StringComparison.Ordinal), $"the {format} report does not say {expected}");
        }
    }

    [Fact]
    public async Task The_same_data_gives_the_same_bytes_in_every_format()
    {
        var (_, _, auditor) = await FleetAsync();
        using var _ = auditor;
        foreach (var format in Formats)
        {
            var first = await ReportAsync(auditor, format);
            var second = await ReportAsync(auditor, format);
            Assert.True(first.SequenceEqual(second), $"{format} differs between two reads");
        }
    }

    [Fact]
    public async Task A_past_period_shows_the_fleet_and_policies_as_they_stood_at_its_end_whatever_changed_since()
    {
        var (tenant, devices, auditor) = await FleetAsync();
        using var _ = auditor;
        using var admin = fleet.Service.ClientFor(tenant.AdminKey);
        var root = PemEncoding.WriteString("CERTIFICATE", tenant.Manufacturer.RootDer);
        using (var gone = await admin.PutAsJsonAsync("/api/v1/enrollment-groups/gone", new { trustedRootsPem = new[] { root }, enabled = false, pcrIndices = new[] { 0, 7 } }))
            Assert.True(gone.IsSuccessStatusCode, await gone.Content.ReadAsStringAsync());
        var end = Stamp(DateTimeOffset.UtcNow);
        var before = JsonNode.Parse(await ReportAsync(auditor, "json", to: end))!["report"]!;

        // after the period: a revocation, a device disabled, a new device, one group changed and another deleted
        using (var revoked = await admin.PostAsJsonAsync($"/api/v1/devices/{devices[0]}/revoke", new { reason = "superseded" }))
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        using (var disabled = await admin.PostAsync($"/api/v1/devices/{devices[1]}/disable", null))
            Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync());
        var late = await fleet.EnrollDeviceAsync(tenant);
        using (var spare = await admin.PutAsJsonAsync("/api/v1/enrollment-groups/spare",
            new { trustedRootsPem = new[] { root }, enabled = true, pcrIndices = new[] { 0, 1, 2 }, certificateLifetimeSeconds = 3600 }))
            Assert.True(spare.IsSuccessStatusCode, await spare.Content.ReadAsStringAsync());
        using (var deleted = await admin.DeleteAsync("/api/v1/enrollment-groups/gone")) Assert.True(deleted.IsSuccessStatusCode);

        var bytes = await ReportAsync(auditor, "json", to: end);
        var report = JsonNode.Parse(bytes)!["report"]!;
        // everything but the audit walk (which now reaches a later head) reads as it did before the changes
        Assert.Equal(Without(before, "auditChain"), Without(report, "auditChain"));
        var inventory = report["inventory"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["count"]!.GetValue<int>());
        Assert.Equal(new Dictionary<string, int> { ["Active"] = 2, ["Revoked"] = 1 }, inventory);
        Assert.Equal(2, report["firmware"]!["compliant"]!.GetValue<int>() + report["firmware"]!["nonCompliant"]!.GetValue<int>());
        Assert.Equal(1, report["certificates"]!["revoked"]!.GetValue<int>());
        Assert.DoesNotContain(late, Encoding.UTF8.GetString(bytes));
        var policies = report["policies"]!.AsArray().ToDictionary(p => p!["groupId"]!.GetValue<string>());
        Assert.Equal(["default", "gone", "spare"], policies.Keys.Order(StringComparer.Ordinal));
        Assert.False(policies["spare"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("0,1,2,3,4,5,6,7", policies["spare"]!["pcrIndices"]!.GetValue<string>());
        Assert.Equal(1, policies["spare"]!["version"]!.GetValue<long>());
        Assert.Equal("0,7", policies["gone"]!["pcrIndices"]!.GetValue<string>());
        Assert.Equal(1, policies["gone"]!["trustedRoots"]!.GetValue<int>());
        Assert.DoesNotContain(report["actions"]!.AsArray(), a => a!["subject"]!.GetValue<string>() == devices[0]);

        // the same period read again gives the same bytes; the period up to now shows what changed
        Assert.Equal(bytes, await ReportAsync(auditor, "json", to: end));
        var now = JsonNode.Parse(await ReportAsync(auditor, "json"))!["report"]!;
        var current = now["inventory"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["count"]!.GetValue<int>());
        Assert.Equal(new Dictionary<string, int> { ["Active"] = 1, ["Disabled"] = 1, ["Revoked"] = 2 }, current);
        Assert.Equal(["default", "spare"], now["policies"]!.AsArray().Select(p => p!["groupId"]!.GetValue<string>()));
        Assert.True(now["policies"]![1]!["enabled"]!.GetValue<bool>());

        var pdf = await PdfText.ReadAsync(await ReportAsync(auditor, "pdf", to: end));
        Assert.Contains("3 devices in the inventory at the period's end", pdf);
        Assert.Contains("Versions in force at the period's end", pdf);
    }

    [Fact]
    public async Task The_audit_walk_starts_after_the_checkpoint_signed_before_the_period_and_says_what_it_verified()
    {
        var (tenant, devices, auditor) = await FleetAsync();
        using var _ = auditor;
        using var signed = await auditor.GetAsync("/api/v1/audit/checkpoint");
        var anchor = JsonNode.Parse(await signed.Content.ReadAsStringAsync())!;
        var size = anchor["size"]!.GetValue<long>();
        var from = Stamp(DateTimeOffset.UtcNow);
        using (var admin = fleet.Service.ClientFor(tenant.AdminKey))
        using (var disabled = await admin.PostAsync($"/api/v1/devices/{devices[0]}/disable", null))
            Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync());

        var report = JsonNode.Parse(await ReportAsync(auditor, "json", from: from))!["report"]!;
        var chain = report["auditChain"]!;
        Assert.True(chain["intact"]!.GetValue<bool>(), chain.ToJsonString());
        Assert.Equal(size, chain["anchor"]!["size"]!.GetValue<long>());
        Assert.Equal(anchor["headHash"]!.GetValue<string>(), chain["anchor"]!["headHash"]!.GetValue<string>());
        Assert.Equal(size + 1, chain["firstSequence"]!.GetValue<long>());
        Assert.Equal(chain["checkpoint"]!["size"]!.GetValue<long>(), chain["lastSequence"]!.GetValue<long>());
        Assert.Equal(1, chain["entriesInPeriod"]!.GetValue<long>());
        Assert.Equal(["disable"], report["actions"]!.AsArray().Select(a => a!["action"]!.GetValue<string>()));
        // the period's inventory still counts every device: those enrolled before it are carried in
        Assert.Equal(3, report["inventory"]!.AsArray().Sum(c => c!["count"]!.GetValue<int>()));

        var pdf = await PdfText.ReadAsync(await ReportAsync(auditor, "pdf", from: from));
        var squeezed = string.Concat(pdf.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains($"Verifiedentries{size + 1}to{chain["lastSequence"]!.GetValue<long>()}", squeezed);
        Assert.Contains($"linkstotheheadofthecheckpointof{size}entries", squeezed);
        Assert.Contains($"Entries1to{size}precedetheperiodandwerenotread.", squeezed);
    }

    private static string Without(JsonNode report, string section)
    {
        var copy = report.DeepClone().AsObject();
        copy.Remove(section);
        return copy.ToJsonString();
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_wrong_period_or_format_is_refused_with_400_saying_why()
    {
        var tenant = await fleet.NewTenantAsync();
        using var http = fleet.Service.ClientFor(tenant.AdminKey);
        foreach (var (query, says) in new[]
        {
            ("to=2026-12-01", "from and to are both required"),
            ("from=2026-12-01", "from and to are both required"),
            ("from=yesterday&to=2026-12-01", "from 'yesterday' is not an ISO 8601 time"),
            ("from=2026-12-01&to=later", "to 'later' is not an ISO 8601 time"),
            ("from=2026-12-02&to=2026-12-01", "must be before to"),
            ("from=2026-12-01&to=2026-12-01", "must be before to"),
            ("from=2025-01-01&to=2026-12-01", "a report covers at most 366"),
            ("from=2026-11-01&to=2026-12-01&format=docx", "format 'docx' is not one of html, pdf, json, csv"),
        })
        {
            using var response = await http.GetAsync($"/api/v1/reports/compliance?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(says, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Every_role_may_read_the_report_and_no_key_may_not()
    {
        var tenant = await fleet.NewTenantAsync();
        using var anonymous = new HttpClient { BaseAddress = fleet.Service.BaseAddress };
        using (var none = await anonymous.GetAsync($"/api/v1/reports/compliance?from={From}&to={To}")) Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        foreach (var role in Enum.GetValues<ApiRole>())
        {
            using var http = fleet.Service.ClientFor(await fleet.KeyAsync(tenant, role));
            await ReportAsync(http, "json");
        }
    }

    [Fact]
    public async Task Another_tenants_devices_keys_and_findings_never_appear_in_any_format()
    {
        var one = await FleetAsync();
        var other = await FleetAsync();
        using var __ = one.Auditor;
        using var ___ = other.Auditor;
        foreach (var (reader, foreign) in new[] { (one, other), (other, one) })
        {
            var foreignKeys = JsonNode.Parse(await ReportAsync(foreign.Auditor, "json"))!["report"]!["apiKeys"]!.AsArray().Select(k => k!["keyId"]!.GetValue<string>());
            string[] secrets = [foreign.Tenant.TenantId, .. foreign.Devices, .. foreignKeys];
            foreach (var format in Formats)
            {
                var bytes = await ReportAsync(reader.Auditor, format);
                var text = format == "pdf" ? string.Concat((await PdfText.ReadAsync(bytes)).Where(c => !char.IsWhiteSpace(c))) : Encoding.UTF8.GetString(bytes);
                foreach (var secret in secrets) Assert.DoesNotContain(secret, text);
                Assert.Contains(reader.Devices[2], text);
            }
        }
    }
}
