using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Devices stored before the inventory carried the group, the tags and presence: real swtpm devices are enrolled and
/// tagged, the SQLite file is taken back to the schema of that time (version 1, rows without those columns), and the
/// service is started on it again. Their grains re-index the rows, so filtering by group and tag finds them; a pass
/// stopped by a store fault resumes at the next start, and a pass over an up-to-date store writes nothing.
/// </summary>
public sealed class InventoryReindexTests : SwtpmBench
{
    private readonly ServiceFixture _service;
    private int _upsertsAllowed = int.MaxValue;

    public InventoryReindexTests() =>
        _service = ServiceFixture.With(new Dictionary<string, string?>(),
            services => FaultInjectingStore.Decorate(services, call => call.Operation == "upsert-device" && Interlocked.Decrement(ref _upsertsAllowed) < 0));

    public override async Task InitializeAsync()
    {
        await _service.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _service.DisposeAsync();
    }

    private async Task<string> EnrolAsync(TestTenant tenant, ManufacturerCa manufacturer, params string[] tags)
    {
        var enrollment = new TpmEnrollment(Tpm, await VirtualDevices.ManufactureAsync(Tpm, manufacturer));
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using (var client = await _service.ConnectAsync(deviceId))
            await enrollment.EnrollAsync(client);
        using var http = tenant.Http;
        (await http.PutAsJsonAsync($"/api/v1/devices/{deviceId}/tags", new { tags })).EnsureSuccessStatusCode();
        return deviceId;
    }

    private Task<ReindexPass> FirstPassAsync() =>
        _service.App.Services.GetServices<IHostedService>().OfType<InventoryReindexer>().Single().FirstPass;

    private static async Task<string[]> ListAsync(TestTenant tenant, string query)
    {
        using var http = tenant.Http;
        var page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/devices?{query}"))!;
        return [.. page["items"]!.AsArray().Select(item => (string)item!["deviceId"]!)];
    }

    /// <summary>Takes the stopped service's file back to schema version 1: inventory rows without group, tags, presence.</summary>
    private void DowngradeToVersion1()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_service.DataDirectory, "iotidentity.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            DROP INDEX audit_by_subject; DROP INDEX devices_by_group; DROP INDEX devices_to_reindex;
            ALTER TABLE devices DROP COLUMN indexed; ALTER TABLE devices DROP COLUMN group_id; ALTER TABLE devices DROP COLUMN tags;
            ALTER TABLE devices DROP COLUMN last_seen_ticks; ALTER TABLE devices DROP COLUMN connected; ALTER TABLE devices DROP COLUMN links;
            UPDATE schema_version SET version = 1;
            """;
        command.ExecuteNonQuery();
    }

    [Fact(Timeout = 240_000)]
    public async Task Devices_stored_before_the_group_and_tag_index_are_found_by_group_and_tag_after_a_resumable_idempotent_reindex()
    {
        // each tenant trusts a manufacturer of its own, so each device has one owner to enrol with
        using var otherManufacturer = ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true });
        var a = await _service.CreateTenantAsync("reindex-a", [Manufacturer.RootDer]);
        var b = await _service.CreateTenantAsync("reindex-b", [otherManufacturer.RootDer]);
        string[] aDevices = [await EnrolAsync(a, Manufacturer, "site:berlin"), await EnrolAsync(a, Manufacturer, "site:berlin", "floor=2"), await EnrolAsync(a, Manufacturer)];
        var bDevice = await EnrolAsync(b, otherManufacturer, "site:berlin");
        var aOrdered = aDevices.Order(StringComparer.Ordinal).ToArray();

        await _service.StopAsync();
        DowngradeToVersion1();

        // first start on the old file: the store allows one row write, so the pass stops after the first device
        Volatile.Write(ref _upsertsAllowed, 1);
        await _service.StartAsync();
        var stopped = await FirstPassAsync();
        Assert.False(stopped.Finished);
        Assert.Equal(1, stopped.Rewritten);
        Assert.Equal(aOrdered[1..], await _service.Store.ListDevicesToReindexAsync(a.TenantId, StoreLimits.MaxPageSize));
        Assert.Equal([bDevice], await _service.Store.ListDevicesToReindexAsync(b.TenantId, StoreLimits.MaxPageSize));
        Assert.Equal([aOrdered[0]], await ListAsync(a, "groupId=default"));
        Assert.Empty(await ListAsync(b, "tag=site:berlin"));
        Assert.Equal(aOrdered, await ListAsync(a, ""));

        // the next start resumes where the fault stopped it
        Volatile.Write(ref _upsertsAllowed, int.MaxValue);
        await _service.RestartAsync();
        var resumed = await FirstPassAsync();
        Assert.Equal(new ReindexPass(3, Finished: true), resumed);
        Assert.Empty(await _service.Store.ListDevicesToReindexAsync(a.TenantId, StoreLimits.MaxPageSize));
        Assert.Equal(aOrdered, await ListAsync(a, "groupId=default"));
        Assert.Equal(aDevices[..2].Order(StringComparer.Ordinal), await ListAsync(a, "tag=site:berlin"));
        Assert.Equal([aDevices[1]], await ListAsync(a, "tag=floor%3D2"));
        Assert.Equal([bDevice], await ListAsync(b, "tag=site:berlin&groupId=default"));
        var rows = await Task.WhenAll(aOrdered.Append(bDevice).Select(id => _service.Store.GetDeviceAsync(id == bDevice ? b.TenantId : a.TenantId, id)));
        Assert.Equal(["floor=2", "site:berlin"], rows.Single(r => r!.DeviceId == aDevices[1])!.Tags);

        // and a start on an up-to-date store writes nothing (the rows keep their update time)
        await _service.RestartAsync();
        Assert.Equal(new ReindexPass(0, Finished: true), await FirstPassAsync());
        var again = await Task.WhenAll(aOrdered.Append(bDevice).Select(id => _service.Store.GetDeviceAsync(id == bDevice ? b.TenantId : a.TenantId, id)));
        Assert.Equal(rows, again);
    }
}
