using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// <c>iotid</c> against the real service (Orleans, SQLite, TLS MQTT) with devices enrolled from a real swtpm:
/// enrolment groups, individual enrolments, devices, audit.
/// </summary>
public sealed class CliAgainstServiceTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => Iotid(tenant.AdminKey, args);

    // whole ids in tables: these tests look for them (prefixes are CliDeviceIdPrefixTests')
    private Task<CliRun> Iotid(string key, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", key, "--wide"]);

    private string PemFile(byte[] der, string name)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, PemEncoding.WriteString("CERTIFICATE", der));
        return path;
    }

    [Fact]
    public async Task Groups_put_get_list_and_delete_go_through_the_service()
    {
        var tenant = await fleet.NewTenantAsync();
        var root = PemFile(tenant.Manufacturer.RootDer, "root.pem");

        var put = (await Iotid(tenant, "groups", "put", "line-2", "--trusted-root", root, "--pcr", "0", "7", "--lifetime-seconds", "3600", "--quota", "5")).Exited(0);
        Assert.Contains("IoTIdentity Test TPM Manufacturer", put.Out);

        var json = (await Iotid(tenant, "groups", "get", "line-2", "--json")).Exited(0);
        using (var group = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(3600, group.RootElement.GetProperty("certificateLifetimeSeconds").GetInt64());
            Assert.Equal(5, group.RootElement.GetProperty("quota").GetInt32());
            Assert.Equal([0, 7], group.RootElement.GetProperty("pcrIndices").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Single(group.RootElement.GetProperty("trustedRootsPem").EnumerateArray());
        }

        var list = (await Iotid(tenant, "groups", "list")).Exited(0);
        Assert.Contains("line-2", list.Out);
        Assert.Contains("default", list.Out);

        (await Iotid(tenant, "groups", "delete", "line-2")).Exited(0);
        var gone = (await Iotid(tenant, "groups", "get", "line-2")).Exited(1);
        Assert.Contains("NotFound (404)", gone.Error);
    }

    [Fact]
    public async Task Group_put_with_one_option_keeps_the_fields_it_does_not_name()
    {
        var tenant = await fleet.NewTenantAsync();
        (await Iotid(tenant, "groups", "put", "line-3", "--trusted-root", PemFile(tenant.Manufacturer.RootDer, "r.pem"), "--pcr", "0", "1")).Exited(0);

        (await Iotid(tenant, "groups", "put", "line-3", "--enabled", "false")).Exited(0);

        using var group = JsonDocument.Parse((await Iotid(tenant, "groups", "get", "line-3", "--json")).Exited(0).Out);
        Assert.False(group.RootElement.GetProperty("enabled").GetBoolean());
        Assert.Single(group.RootElement.GetProperty("trustedRootsPem").EnumerateArray());
        Assert.Equal([0, 1], group.RootElement.GetProperty("pcrIndices").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Group_put_is_refused_before_sending_when_the_file_is_not_a_group()
    {
        var tenant = await fleet.NewTenantAsync();
        var file = Path.Combine(_folder, "group.json");
        File.WriteAllText(file, "{ \"pcrIndices\": \"seven\" }");

        var run = (await Iotid(tenant, "groups", "put", "line-4", "--file", file)).Exited(2);

        Assert.Contains("is not a group's JSON", run.Error);
        (await Iotid(tenant, "groups", "get", "line-4")).Exited(1);
    }

    [Fact]
    public async Task Group_put_the_service_refuses_prints_the_problem_and_exits_1()
    {
        var tenant = await fleet.NewTenantAsync();

        var run = (await Iotid(tenant, "groups", "put", "line-5", "--lifetime-seconds", "1")).Exited(1);

        Assert.Contains("MalformedRequest (400)", run.Error);
        Assert.Contains("lifetimes at least 10 s", run.Error);
    }

    [Fact]
    public async Task Individual_enrollments_put_get_and_delete_go_through_the_service()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

        (await Iotid(tenant, "enrollments", "put", deviceId, "--group", "default", "--disabled")).Exited(0);
        var get = (await Iotid(tenant, "enrollments", "get", deviceId, "--json")).Exited(0);
        using (var enrollment = JsonDocument.Parse(get.Out))
        {
            Assert.Equal("default", enrollment.RootElement.GetProperty("groupId").GetString());
            Assert.False(enrollment.RootElement.GetProperty("enabled").GetBoolean());
        }
        (await Iotid(tenant, "enrollments", "delete", deviceId)).Exited(0);
        (await Iotid(tenant, "enrollments", "get", deviceId)).Exited(1);
    }

    [Fact]
    public async Task Enrollment_put_into_a_group_that_does_not_exist_is_refused_with_the_problem_detail()
    {
        var tenant = await fleet.NewTenantAsync();

        var run = (await Iotid(tenant, "enrollments", "put", new string('a', 64), "--group", "no-such-group")).Exited(1);

        Assert.Contains("NotFound (404): no such group", run.Error);
    }

    [Fact]
    public async Task Devices_list_all_follows_continuation_tokens_to_the_last_page()
    {
        var tenant = await fleet.NewTenantAsync();
        var devices = new List<string>();
        for (var i = 0; i < 3; i++) devices.Add(await fleet.EnrollDeviceAsync(tenant));

        var table = (await Iotid(tenant, "devices", "list", "--page-size", "1", "--all")).Exited(0);
        Assert.All(devices, d => Assert.Contains(d, table.Out));
        Assert.Contains("3 devices (3 pages)", table.Error);

        var json = (await Iotid(tenant, "devices", "list", "--page-size", "1", "--all", "--json")).Exited(0);
        using var merged = JsonDocument.Parse(json.Out);
        Assert.Equal(devices.Order(StringComparer.Ordinal), merged.RootElement.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()));
        Assert.Equal(JsonValueKind.Null, merged.RootElement.GetProperty("continuationToken").ValueKind);
    }

    [Fact]
    public async Task Devices_list_without_all_shows_one_page_and_says_how_to_get_the_next()
    {
        var tenant = await fleet.NewTenantAsync();
        var devices = new[] { await fleet.EnrollDeviceAsync(tenant), await fleet.EnrollDeviceAsync(tenant) }.Order(StringComparer.Ordinal).ToList();

        var first = (await Iotid(tenant, "devices", "list", "--page-size", "1")).Exited(0);
        Assert.Contains(devices[0], first.Out);
        Assert.DoesNotContain(devices[1], first.Out);
        var token = first.Error.Split("--continuation-token ")[1].Split(' ')[0];

        var second = (await Iotid(tenant, "devices", "list", "--page-size", "1", "--continuation-token", token)).Exited(0);
        Assert.Contains(devices[1], second.Out);
    }

    [Fact]
    public async Task Device_get_with_json_prints_the_APIs_JSON_as_it_came()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);
        using var http = fleet.Service.ClientFor(tenant.AdminKey);
        var api = await http.GetStringAsync($"/api/v1/devices/{deviceId}");

        var run = (await Iotid(tenant, "devices", "get", deviceId, "--json")).Exited(0);

        Assert.Equal(api, run.Out.TrimEnd('\n'));
        var table = (await Iotid(tenant, "devices", "get", deviceId)).Exited(0);
        Assert.Contains("Active", table.Out);
        Assert.Contains(tenant.TenantId, table.Out);
    }

    [Fact]
    public async Task Device_disable_enable_and_revoke_change_its_state_in_the_service()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);

        (await Iotid(tenant, "devices", "disable", deviceId)).Exited(0);
        Assert.Equal(DeviceStatus.Disabled, (await fleet.Service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId))!.Status);
        (await Iotid(tenant, "devices", "enable", deviceId)).Exited(0);
        Assert.Equal(DeviceStatus.Active, (await fleet.Service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId))!.Status);

        var revoke = (await Iotid(tenant, "devices", "revoke", deviceId, "--reason", "keyCompromise")).Exited(0);
        Assert.Contains("revoked (keyCompromise)", revoke.Out);
        Assert.Equal(DeviceStatus.Revoked, (await fleet.Service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId))!.Status);

        var revoked = (await Iotid(tenant, "devices", "list", "--state", "Revoked")).Exited(0);
        Assert.Contains(deviceId, revoked.Out);
        var active = (await Iotid(tenant, "devices", "list", "--state", "Active")).Exited(0);
        Assert.DoesNotContain(deviceId, active.Out);
    }

    [Fact]
    public async Task Device_get_of_another_tenants_device_is_refused_as_not_found()
    {
        var owner = await fleet.NewTenantAsync();
        var other = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(owner);

        var foreign = (await Iotid(other, "devices", "get", deviceId)).Exited(1);
        var missing = (await Iotid(other, "devices", "get", new string('0', 64))).Exited(1);

        Assert.Equal(missing.Error, foreign.Error);
        Assert.Contains("NotFound (404)", foreign.Error);
        (await Iotid(other, "devices", "disable", deviceId)).Exited(1);
        Assert.Equal(DeviceStatus.Active, (await fleet.Service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(owner.TenantId))!.Status);
    }

    [Fact]
    public async Task Device_revoke_with_an_auditor_key_is_refused_as_forbidden()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);
        var auditor = await fleet.KeyAsync(tenant, ApiRole.Auditor);

        var run = (await Iotid(auditor, "devices", "revoke", deviceId)).Exited(1);

        Assert.Contains("Forbidden (403)", run.Error);
        Assert.Equal(DeviceStatus.Active, (await fleet.Service.Grains.GetGrain<IDeviceGrain>(deviceId).GetAsync(tenant.TenantId))!.Status);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_as_unauthenticated_and_is_never_printed()
    {
        var tenant = await fleet.NewTenantAsync();
        var wrong = tenant.AdminKey[..^4] + "AAAA";

        var run = (await Iotid(wrong, "devices", "list")).Exited(1);

        Assert.Contains("Unauthenticated (401)", run.Error);
        Assert.DoesNotContain(wrong, run.Out + run.Error);
        Assert.DoesNotContain(wrong.Split('.')[^1], run.Out + run.Error);
    }

    [Fact]
    public async Task The_url_and_key_come_from_IOTID_URL_and_IOTID_API_KEY_when_not_given()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);

        var run = (await CliRun.RunAsync(["devices", "list", "--wide"], environment: new Dictionary<string, string>
        {
            ["IOTID_URL"] = fleet.Url, ["IOTID_API_KEY"] = tenant.AdminKey,
        })).Exited(0);

        Assert.Contains(deviceId, run.Out);
        Assert.DoesNotContain(tenant.AdminKey, run.Out + run.Error);
    }

    [Fact]
    public async Task Audit_query_lists_what_the_tenant_did_and_verify_finds_the_chain_intact()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = await fleet.EnrollDeviceAsync(tenant);
        (await Iotid(tenant, "devices", "disable", deviceId)).Exited(0);

        var query = (await Iotid(tenant, "audit", "query", "--all")).Exited(0);
        Assert.Contains(deviceId, query.Out);
        Assert.Contains("issued", query.Out);
        Assert.Matches(@"disable +" + deviceId + " +done +api-key:", query.Out);

        var json = (await Iotid(tenant, "audit", "query", "--json")).Exited(0);
        using (JsonDocument.Parse(json.Out))
            Assert.Contains(deviceId, json.Out);

        var verify = (await Iotid(tenant, "audit", "verify")).Exited(0);
        Assert.Matches(@"audit chain intact: \d+ entries checked", verify.Out);
    }

    [Fact]
    public async Task Audit_query_and_export_filter_by_device_and_action_on_the_service()
    {
        var tenant = await fleet.NewTenantAsync();
        var first = await fleet.EnrollDeviceAsync(tenant);
        var second = await fleet.EnrollDeviceAsync(tenant);
        (await Iotid(tenant, "devices", "disable", first)).Exited(0);

        var disables = (await Iotid(tenant, "audit", "query", "--all", "--action", "disable")).Exited(0);
        Assert.Contains(first, disables.Out);
        Assert.DoesNotContain(second, disables.Out);

        var file = Path.Combine(_folder, "audit.ndjson");
        (await Iotid(tenant, "audit", "export", "--device", second, "--out", file)).Exited(0);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal(second, JsonDocument.Parse(line).RootElement.GetProperty("event").GetProperty("subject").GetString()));

        var since = (await Iotid(tenant, "audit", "query", "--all", "--from", DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))).Exited(0);
        Assert.DoesNotContain(first, since.Out);
    }
}
