using System.Text.Json;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary><c>iotid findings</c>, <c>iotid monitoring</c> and <c>iotid webhooks</c> against the real service.</summary>
public sealed class CliMonitoringTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-mon-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", tenant.AdminKey]);

    [Fact]
    public async Task Findings_are_listed_shown_acknowledged_and_resolved()
    {
        var tenant = await fleet.NewTenantAsync();
        var deviceId = new string('d', 64);
        var monitor = fleet.Service.Grains.GetGrain<IMonitorGrain>(tenant.TenantId);
        await monitor.ObserveAsync([new MonitoredEvent
        {
            Kind = MonitoredEventKind.SecondSessionRefused, Subject = deviceId, At = DateTimeOffset.UtcNow, Address = "198.51.100.4", SessionId = "s1",
        }]);
        var id = (await monitor.ListFindingsAsync()).Single().Id;

        var list = (await Iotid(tenant, "findings", "list", "--kind", "CloneSuspected")).Exited(0);
        Assert.Contains(id, list.Out);
        Assert.Contains("Critical", list.Out);
        var shown = (await Iotid(tenant, "findings", "get", id)).Exited(0);
        Assert.Contains("198.51.100.4", shown.Out);
        Assert.Contains(deviceId, shown.Out);

        (await Iotid(tenant, "findings", "ack", id)).Exited(0);
        Assert.Contains(id, (await Iotid(tenant, "findings", "list", "--state", "Acknowledged")).Exited(0).Out);
        Assert.Contains($"finding {id} resolved", (await Iotid(tenant, "findings", "resolve", id)).Exited(0).Out);
        Assert.DoesNotContain(id, (await Iotid(tenant, "findings", "list", "--state", "Open")).Exited(0).Out);
        Assert.Contains("NotFound (404)", (await Iotid(tenant, "findings", "get", "f-999")).Exited(1).Error);
    }

    [Fact]
    public async Task A_quarantined_device_shows_its_hold_in_devices_get_until_monitoring_release_lets_it_go()
    {
        var tenant = await fleet.NewTenantAsync();
        var (deviceId, findingId) = await fleet.EnrollQuarantinedCloneAsync(tenant);

        var held = (await Iotid(tenant, "devices", "get", deviceId)).Exited(0).Out;
        Assert.Contains($"for finding {findingId} (renewals and tokens refused until `iotid monitoring release`)", held);
        Assert.Contains($"device {deviceId} released", (await Iotid(tenant, "monitoring", "release", deviceId[..16])).Exited(0).Out);
        Assert.DoesNotContain($"for finding {findingId}", (await Iotid(tenant, "devices", "get", deviceId)).Exited(0).Out);   // the line reads "-"
        Assert.Contains("NotFound (404)", (await Iotid(tenant, "monitoring", "release", deviceId)).Exited(1).Error);   // no longer held
    }

    [Fact]
    public async Task The_policy_printed_by_policy_is_what_set_policy_takes_and_a_bad_one_is_refused_with_its_reason()
    {
        var tenant = await fleet.NewTenantAsync();
        var printed = (await Iotid(tenant, "monitoring", "policy", "--json")).Exited(0).Out;
        var file = Path.Combine(_folder, "policy.json");
        var edited = System.Text.Json.Nodes.JsonNode.Parse(printed)!;
        edited["remediation"] = new System.Text.Json.Nodes.JsonObject { ["FirmwareDowngrade"] = "Revoke" };
        await File.WriteAllTextAsync(file, edited.ToJsonString());

        Assert.Contains("version 1", (await Iotid(tenant, "monitoring", "set-policy", file)).Exited(0).Out);
        using (var policy = JsonDocument.Parse((await Iotid(tenant, "monitoring", "policy", "--json")).Exited(0).Out))
            Assert.Equal("Revoke", policy.RootElement.GetProperty("remediation").GetProperty("FirmwareDowngrade").GetString());

        await File.WriteAllTextAsync(file, """{"remediation":{"FirmwareDowngrade":"Explode"}}""");
        Assert.Contains("Explode", (await Iotid(tenant, "monitoring", "set-policy", file)).Exited(1).Error);
        await File.WriteAllTextAsync(file, "not json");
        (await Iotid(tenant, "monitoring", "set-policy", file)).Exited(2);
        (await Iotid(tenant, "monitoring", "set-policy", Path.Combine(_folder, "missing.json"))).Exited(2);
    }

    [Fact]
    public async Task Webhooks_add_prints_the_secret_once_and_list_and_remove_never_show_it()
    {
        var tenant = await fleet.NewTenantAsync();
        var added = (await Iotid(tenant, "webhooks", "add", "https://hooks.example/iotid", "--min-severity", "High", "--json")).Exited(0).Out;
        using var created = JsonDocument.Parse(added);
        var id = created.RootElement.GetProperty("id").GetString()!;
        var secret = created.RootElement.GetProperty("secret").GetString()!;

        var list = (await Iotid(tenant, "webhooks", "list")).Exited(0).Out;
        Assert.Contains(id, list);
        Assert.DoesNotContain(secret, list);
        (await Iotid(tenant, "webhooks", "remove", id)).Exited(0);
        Assert.DoesNotContain(id, (await Iotid(tenant, "webhooks", "list")).Exited(0).Out);
        Assert.Contains("url must be", (await Iotid(tenant, "webhooks", "add", "http://hooks.example/iotid")).Exited(1).Error);
    }
}
