using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Configuration changes in the audit log, read back through the audit API as an auditor would: who (the key id and its
/// role) changed what (each setting before and after), and for a manufacturer root, who trusted it and when — found by
/// its fingerprint alone.
/// </summary>
public sealed class ConfigurationAuditTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static string Pem(byte[] der) => new(PemEncoding.Write("CERTIFICATE", der));

    private static string Fingerprint(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));

    private async Task<(TestTenant Tenant, HttpClient Owner)> TenantAsync()
    {
        var tenant = await service.CreateTenantAsync($"ca-{Guid.NewGuid():N}"[..20], []);
        return (tenant, tenant.Http);
    }

    private static async Task<(string KeyId, HttpClient Http)> KeyAsync(ServiceFixture service, HttpClient owner, string role)
    {
        var created = (await (await owner.PostAsJsonAsync("/api/v1/api-keys", new { name = $"{role} key", role })).Content.ReadFromJsonAsync<JsonObject>())!;
        return (created["keyId"]!.GetValue<string>(), service.ClientFor(created["key"]!.GetValue<string>()));
    }

    private static async Task<List<JsonNode>> AuditAsync(HttpClient http, string query)
    {
        var response = await http.GetAsync($"/api/v1/audit?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray().Select(n => n!["event"]!).ToList();
    }

    private static string Detail(JsonNode entry, string key) => entry["details"]![key]!.GetValue<string>();

    [Fact]
    public async Task An_auditor_finds_who_trusted_a_manufacturer_root_and_when_by_its_fingerprint()
    {
        var (tenant, owner) = await TenantAsync();
        using var _ = owner;
        using var manufacturer = ManufacturerCa.Create();
        using var other = ManufacturerCa.Create();
        var (operatorId, operatorHttp) = await KeyAsync(service, owner, "Operator");
        var (_, auditor) = await KeyAsync(service, owner, "Auditor");
        var ownerKeyId = tenant.AdminKey.Split('.')[2];
        var start = DateTimeOffset.UtcNow;

        // the operator makes a group trusting the manufacturer, the owner trusts it tenant-wide, the operator drops it from the group
        Assert.Equal(HttpStatusCode.OK, (await operatorHttp.PutAsJsonAsync("/api/v1/enrollment-groups/line-1",
            new { trustedRootsPem = new[] { Pem(manufacturer.RootDer), Pem(other.RootDer) } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync("/api/v1/tenant/manufacturer-roots",
            new { certificatesPem = new[] { Pem(manufacturer.RootDer) } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorHttp.PutAsJsonAsync("/api/v1/enrollment-groups/line-1",
            new { trustedRootsPem = new[] { Pem(other.RootDer) } })).StatusCode);

        var trusted = await AuditAsync(auditor, $"subject={Fingerprint(manufacturer.RootDer)}&action=root-trusted");
        var everything = await AuditAsync(auditor, $"subject={Fingerprint(manufacturer.RootDer)}");

        Assert.Equal([$"api-key:{operatorId}", $"api-key:{ownerKeyId}"], trusted.Select(e => e["actor"]!.GetValue<string>()));
        Assert.Equal(["Operator", "OwnerAdmin"], trusted.Select(e => Detail(e, "role")));
        Assert.Equal(["group:line-1", "tenant"], trusted.Select(e => Detail(e, "scope")));
        Assert.All(trusted, e => Assert.Contains("CN=", Detail(e, "certificate-subject")));
        Assert.All(everything, e => Assert.InRange(e["at"]!.GetValue<DateTimeOffset>(), start, DateTimeOffset.UtcNow));
        Assert.Equal(["root-trusted", "root-trusted", "root-untrusted"], everything.Select(e => e["action"]!.GetValue<string>()));
        Assert.Equal($"api-key:{operatorId}", everything[2]["actor"]!.GetValue<string>());
        // the other root was trusted once and never dropped
        Assert.Equal(["root-trusted"], (await AuditAsync(auditor, $"subject={Fingerprint(other.RootDer)}")).Select(e => e["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Every_configuration_change_is_audited_with_the_key_and_role_that_made_it_and_only_what_changed()
    {
        var tenantId = $"cb-{Guid.NewGuid():N}"[..20];
        using var admin = service.ClientFor(service.AdminKey);
        var created = (await (await admin.PostAsJsonAsync("/api/v1/tenants", new { tenantId, name = "Audited", quota = new { maxDevices = 10 } }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        using var owner = service.ClientFor(created["ownerAdminKey"]!.GetValue<string>());
        var ownerActor = $"api-key:{created["ownerAdminKey"]!.GetValue<string>().Split('.')[2]}";
        var (operatorId, operatorHttp) = await KeyAsync(service, owner, "Operator");
        var deviceId = new string('a', 64);

        await operatorHttp.PutAsJsonAsync("/api/v1/enrollment-groups/g1", new { pcrIndices = new[] { 0, 7 }, quota = 5 });
        await operatorHttp.PutAsJsonAsync("/api/v1/enrollment-groups/g1", new { pcrIndices = new[] { 0, 7 }, quota = 6 });
        await operatorHttp.PutAsJsonAsync("/api/v1/enrollment-groups/g1", new { pcrIndices = new[] { 0, 7 }, quota = 6 });
        await operatorHttp.PutAsJsonAsync($"/api/v1/individual-enrollments/{deviceId}", new { groupId = "g1" });
        await operatorHttp.DeleteAsync($"/api/v1/individual-enrollments/{deviceId}");
        await operatorHttp.DeleteAsync("/api/v1/enrollment-groups/g1");
        await owner.PutAsJsonAsync("/api/v1/tenant/quota", new { maxDevices = 20 });
        await owner.DeleteAsync($"/api/v1/api-keys/{operatorId}");

        var log = await AuditAsync(owner, "pageSize=100");
        (string Action, string Actor, string? Role) Row(JsonNode e) =>
            (e["action"]!.GetValue<string>(), e["actor"]!.GetValue<string>(), e["details"]?["role"]?.GetValue<string>());
        Assert.Equal(
        [
            ("tenant-create", "service-admin", null), ("api-key-create", ownerActor, "OwnerAdmin"), ("group-create", $"api-key:{operatorId}", "Operator"),
            ("group-update", $"api-key:{operatorId}", "Operator"), ("individual-enrollment-set", $"api-key:{operatorId}", "Operator"),
            ("individual-enrollment-delete", $"api-key:{operatorId}", "Operator"), ("group-delete", $"api-key:{operatorId}", "Operator"),
            ("tenant-quota", ownerActor, "OwnerAdmin"), ("api-key-revoke", ownerActor, "OwnerAdmin"),
        ], log.Select(Row));
        Assert.Equal("10", Detail(log[0], "quota"));
        Assert.Equal("Operator", Detail(log[1], "keyRole"));
        Assert.Equal("0,7", Detail(log[2], "pcrIndices"));
        Assert.Equal("5 → 6", Detail(log[3], "quota"));
        Assert.Equal(["quota", "role"], log[3]["details"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(deviceId, log[4]["subject"]!.GetValue<string>());
        Assert.Equal("10 → 20", Detail(log[7], "maxDevices"));
        Assert.Equal(operatorId, log[8]["subject"]!.GetValue<string>());
        Assert.True((await service.Store.VerifyAuditChainAsync(tenantId)).IsValid);
    }

    [Fact]
    public async Task An_unknown_audit_action_is_refused_listing_the_actions_in_query_and_export()
    {
        var (_, owner) = await TenantAsync();
        using var _ = owner;

        foreach (var path in new[] { "/api/v1/audit?action=enrol", "/api/v1/audit/export?action=enrol" })
        {
            var response = await owner.GetAsync(path);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.All(AuditActions.All, action => Assert.Contains(action, problem["detail"]!.GetValue<string>()));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.GetAsync("/api/v1/audit?deviceId=aa&subject=bb")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/api/v1/audit?action=attest")).StatusCode);
    }

    [Fact]
    public void Every_named_audit_action_is_one_the_audit_filter_accepts()
    {
        var named = typeof(AuditActions).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(named.Order(StringComparer.Ordinal), AuditActions.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Monitoring_link_and_token_actions_are_accepted_as_audit_filters()
    {
        var (_, auditor) = await TenantAsync();
        using var _ = auditor;

        foreach (var action in new[] { AuditActions.Remediation, AuditActions.Quarantine, AuditActions.Link, AuditActions.Token, AuditActions.FederationSet })
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"/api/v1/audit?action={action}")).StatusCode);
    }
}
