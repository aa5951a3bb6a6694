using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary><c>iotid token-policy</c>, <c>token-keys</c> and <c>federation</c> against the real service.</summary>
public sealed class TokenCliTests(FleetFixture fleet) : IClassFixture<FleetFixture>
{
    private Task<CliRun> Iotid(string key, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", key]);

    [Fact]
    public async Task Token_policy_allow_set_deny_and_delete_go_through_the_service_and_change_only_what_they_name()
    {
        var tenant = await fleet.NewTenantAsync();
        (await Iotid(tenant.AdminKey, "token-policy", "get", "default")).Exited(1);

        var allowed = (await Iotid(tenant.AdminKey, "token-policy", "allow", "default", "--audience", "https://a.example", "--scope", "read", "write")).Exited(0);
        Assert.Contains("https://a.example", allowed.Out);
        (await Iotid(tenant.AdminKey, "token-policy", "allow", "default", "--audience", "https://b.example")).Exited(0);
        (await Iotid(tenant.AdminKey, "token-policy", "set", "default", "--require-compliant", "true", "--min-firmware", "board 2.1", "--max-attestation-age-seconds", "3600")).Exited(0);
        (await Iotid(tenant.AdminKey, "token-policy", "deny", "default", "--audience", "https://b.example")).Exited(0);

        using (var policy = JsonDocument.Parse((await Iotid(tenant.AdminKey, "token-policy", "get", "default", "--json")).Exited(0).Out))
        {
            var audiences = policy.RootElement.GetProperty("audiences");
            Assert.Equal(["https://a.example"], audiences.EnumerateObject().Select(a => a.Name));
            Assert.Equal(["read", "write"], audiences.GetProperty("https://a.example").EnumerateArray().Select(s => s.GetString()));
            Assert.True(policy.RootElement.GetProperty("requireMeasuredBootCompliant").GetBoolean());
            Assert.Equal("board 2.1", policy.RootElement.GetProperty("minimumFirmwareRelease").GetString());
            Assert.Equal(3600, policy.RootElement.GetProperty("maxAttestationAgeSeconds").GetInt64());
            Assert.Equal(4, policy.RootElement.GetProperty("version").GetInt64());
        }

        var refused = (await Iotid(tenant.AdminKey, "token-policy", "set", "default", "--default-lifetime-seconds", "5")).Exited(1);
        Assert.Contains("MalformedRequest", refused.Error);
        (await Iotid(tenant.AdminKey, "token-policy", "allow", "no-such-group", "--audience", "https://a.example")).Exited(1);
        var auditor = await fleet.KeyAsync(tenant, ApiRole.Auditor);
        Assert.Contains("Forbidden", (await Iotid(auditor, "token-policy", "allow", "default", "--audience", "https://c.example")).Exited(1).Error);

        (await Iotid(tenant.AdminKey, "token-policy", "delete", "default")).Exited(0);
        (await Iotid(tenant.AdminKey, "token-policy", "get", "default")).Exited(1);

        // each change is in the tenant's audit log with the version it made; the refused ones made none
        var folder = Directory.CreateTempSubdirectory("iotid-token-cli-").FullName;
        try
        {
            var file = Path.Combine(folder, "audit.ndjson");
            (await Iotid(tenant.AdminKey, "audit", "export", "--out", file)).Exited(0);
            var changes = (await File.ReadAllLinesAsync(file)).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("event"))
                .Where(e => e.GetProperty("action").GetString()!.StartsWith("token-policy-", StringComparison.Ordinal))
                .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("subject").GetString()} {e.GetProperty("outcome").GetString()}");
            Assert.Equal(["token-policy-set default version 1", "token-policy-set default version 2", "token-policy-set default version 3",
                "token-policy-set default version 4", "token-policy-delete default deleted"], changes);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Token_keys_list_shows_the_current_and_next_key_and_rotate_retires_the_current_one()
    {
        var tenant = await fleet.NewTenantAsync();
        var before = (await Iotid(tenant.AdminKey, "token-keys", "list")).Exited(0).Out;
        Assert.Contains("current", before);
        Assert.Contains("next", before);

        (await Iotid(tenant.AdminKey, "token-keys", "rotate")).Exited(0);
        using var keys = JsonDocument.Parse((await Iotid(tenant.AdminKey, "token-keys", "list", "--json")).Exited(0).Out);
        Assert.Equal(["retired", "current", "next"], keys.RootElement.EnumerateArray().Select(k => k.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Federation_add_list_and_remove_go_through_the_service_and_a_bad_add_sends_nothing()
    {
        var tenant = await fleet.NewTenantAsync();
        var partner = await fleet.NewTenantAsync();

        (await Iotid(tenant.AdminKey, "federation", "add", "partner", "--tenant", partner.TenantId)).Exited(0);
        // an external bundle is fetched at once: a loopback URL is refused with the reason, and nothing is kept
        Assert.Contains("not a public address", (await Iotid(tenant.AdminKey, "federation", "add", "vendor", "--bundle-url", "http://127.0.0.1:9/bundle")).Exited(1).Error);
        var list = (await Iotid(tenant.AdminKey, "federation", "list")).Exited(0).Out;
        Assert.Contains(partner.TenantId, list);
        Assert.DoesNotContain("vendor", list);
        Assert.Contains("nothing to fetch", (await Iotid(tenant.AdminKey, "federation", "refresh", "partner")).Exited(1).Error);
        (await Iotid(tenant.AdminKey, "federation", "refresh", "ghost")).Exited(1);

        (await Iotid(tenant.AdminKey, "federation", "add", "both", "--tenant", partner.TenantId, "--bundle-url", "https://x.example")).Exited(2);
        (await Iotid(tenant.AdminKey, "federation", "add", "neither")).Exited(2);
        (await Iotid(tenant.AdminKey, "federation", "add", "ghost", "--tenant", "no-such-tenant")).Exited(1);

        (await Iotid(tenant.AdminKey, "federation", "remove", "partner")).Exited(0);
        Assert.DoesNotContain(partner.TenantId, (await Iotid(tenant.AdminKey, "federation", "list")).Exited(0).Out);
        (await Iotid(tenant.AdminKey, "federation", "remove", "partner")).Exited(1);
    }
}
