using System.Text.Json;
using IoTIdentity.Protocol.Audit;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Fleet.Cli.Tests;

/// <summary>
/// Signed audit checkpoints end to end: the service signs the log's head, <c>iotid</c> saves the checkpoint, its key and
/// an export, and <c>audit verify --offline</c> checks the export against them with no service — catching each kind of
/// tampering an attacker who can rewrite the store (or the exported file) could try.
/// </summary>
public sealed class CliAuditCheckpointTests(FleetFixture fleet) : IClassFixture<FleetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iotid-cli-audit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<CliRun> Iotid(FleetTenant tenant, params string[] args) => CliRun.RunAsync([.. args, "--url", fleet.Url, "--key", tenant.AdminKey]);

    private static Task<CliRun> Offline(params string[] args) => CliRun.RunAsync([.. args, "--url", "http://127.0.0.1:9"]);

    private string File(string name) => Path.Combine(_folder, name);

    /// <summary>A tenant whose log holds <paramref name="entries"/> entries, and its export, checkpoint and checkpoint key saved by the CLI.</summary>
    private async Task<FleetTenant> LogWithCheckpointAsync(int entries)
    {
        var tenant = await fleet.NewTenantAsync();
        for (var i = 0; i < entries; i++)
            await fleet.Service.Store.AppendAuditAsync(tenant.TenantId, new AuditEvent
            {
                Action = "register", Subject = $"device-{i % 3}", Outcome = i % 2 == 0 ? "refused:NotEnrolled" : "allowed",
                Actor = "device", At = DateTimeOffset.UtcNow,
            });
        (await Iotid(tenant, "audit", "checkpoint", "-o", File("checkpoint.json"))).Exited(0);
        (await Iotid(tenant, "audit", "checkpoint-key", "-o", File("key.json"))).Exited(0);
        (await Iotid(tenant, "audit", "export", "-o", File("export.ndjson"))).Exited(0);
        return tenant;
    }

    private long CheckpointSize() =>
        JsonSerializer.Deserialize(System.IO.File.ReadAllText(File("checkpoint.json")), ManagementJson.Default.AuditCheckpoint)!.Size;

    private Task<CliRun> VerifyOffline(string export) =>
        Offline("audit", "verify", "--offline", export, "--checkpoint", File("checkpoint.json"), "--checkpoint-key", File("key.json"));

    private string Tampered(Func<List<string>, IEnumerable<string>> change)
    {
        var path = File($"tampered-{Guid.NewGuid():N}.ndjson");
        System.IO.File.WriteAllLines(path, change(System.IO.File.ReadAllLines(File("export.ndjson")).Where(l => l.Length > 0).ToList()));
        return path;
    }

    [Fact]
    public async Task An_untouched_export_verifies_offline_against_the_signed_checkpoint()
    {
        var tenant = await LogWithCheckpointAsync(5);

        var run = (await VerifyOffline(File("export.ndjson"))).Exited(0);

        Assert.True(CheckpointSize() >= 5);
        Assert.Contains($"export holds the checkpointed log: {CheckpointSize()} entries", run.Out);
        using var checkpoint = JsonDocument.Parse(System.IO.File.ReadAllText(File("checkpoint.json")));
        Assert.Equal(tenant.TenantId, checkpoint.RootElement.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task A_rewritten_and_rehashed_suffix_is_caught_offline()
    {
        await LogWithCheckpointAsync(6);
        var size = CheckpointSize();
        var export = Tampered(lines => Rehash(lines.Select(Parse).Select(e => e.Sequence >= size - 2 ? e with { Event = e.Event with { Outcome = "allowed", Actor = "x" } } : e)));

        var run = (await VerifyOffline(export)).Exited(1);

        Assert.Contains($"HeadMismatch at entry {size}", run.Error);
    }

    [Fact]
    public async Task A_dropped_entry_is_caught_offline()
    {
        await LogWithCheckpointAsync(6);

        var run = (await VerifyOffline(Tampered(lines => lines.Where((_, i) => i != 2)))).Exited(1);

        Assert.Contains("Dropped at entry 3", run.Error);
    }

    [Fact]
    public async Task A_reordered_entry_is_caught_offline()
    {
        await LogWithCheckpointAsync(6);

        var run = (await VerifyOffline(Tampered(lines => [lines[0], lines[2], lines[1], .. lines[3..]]))).Exited(1);

        Assert.Contains("Reordered at entry 2", run.Error);
    }

    [Fact]
    public async Task A_truncated_tail_is_caught_offline()
    {
        await LogWithCheckpointAsync(6);

        var size = CheckpointSize();

        var run = (await VerifyOffline(Tampered(lines => lines.Take((int)size - 2)))).Exited(1);

        Assert.Contains($"Truncated at entry {size - 1}", run.Error);
    }

    [Fact]
    public async Task Entries_appended_after_the_checkpoint_verify_and_the_older_checkpoint_stays_fetchable_by_time()
    {
        var tenant = await LogWithCheckpointAsync(3);
        var first = JsonSerializer.Deserialize(System.IO.File.ReadAllText(File("checkpoint.json")), ManagementJson.Default.AuditCheckpoint)!;
        await fleet.Service.Store.AppendAuditAsync(tenant.TenantId, new AuditEvent { Action = "revoke", Subject = "device-9", Outcome = "allowed", Actor = "api", At = DateTimeOffset.UtcNow });
        (await Iotid(tenant, "audit", "export", "-o", File("longer.ndjson"))).Exited(0);

        var run = (await VerifyOffline(File("longer.ndjson"))).Exited(0);
        Assert.Contains("1 later entries chain on", run.Out);

        var fresh = (await Iotid(tenant, "audit", "checkpoint", "--json")).Exited(0);
        Assert.Equal(first.Size + 1, JsonDocument.Parse(fresh.Out).RootElement.GetProperty("size").GetInt64());
        var older = (await Iotid(tenant, "audit", "checkpoint", "--json", "--at", first.At.AddTicks(1).ToString("O"))).Exited(0);
        Assert.Equal(first.Size, JsonDocument.Parse(older.Out).RootElement.GetProperty("size").GetInt64());
        var before = (await Iotid(tenant, "audit", "checkpoint", "--at", first.At.AddSeconds(-1).ToString("O"))).Exited(1);
        Assert.Contains("NotFound", before.Error);
    }

    [Fact]
    public async Task A_checkpoint_signed_by_another_key_or_edited_is_refused_offline()
    {
        await LogWithCheckpointAsync(3);
        var checkpoint = JsonSerializer.Deserialize(System.IO.File.ReadAllText(File("checkpoint.json")), ManagementJson.Default.AuditCheckpoint)!;
        System.IO.File.WriteAllText(File("checkpoint.json"), JsonSerializer.Serialize(checkpoint with { Size = checkpoint.Size - 1 }, ManagementJson.Default.AuditCheckpoint));

        var run = (await VerifyOffline(File("export.ndjson"))).Exited(1);

        Assert.Contains("BadSignature", run.Error);
    }

    [Fact]
    public async Task Offline_verification_refuses_unreadable_inputs_as_usage_errors()
    {
        await LogWithCheckpointAsync(2);
        var garbage = File("garbage.ndjson");
        System.IO.File.WriteAllText(garbage, "{\"tenantId\":\"x\"}\nnot json\n");

        Assert.Contains("line 1 is not an audit entry", (await VerifyOffline(garbage)).Exited(2).Error);
        Assert.Contains("--checkpoint", (await Offline("audit", "verify", "--offline", File("export.ndjson"))).Exited(2).Error);
        Assert.Contains("cannot read", (await Offline("audit", "verify", "--offline", File("export.ndjson"), "--checkpoint", File("none.json"),
            "--checkpoint-key", File("key.json"))).Exited(2).Error);
        Assert.Contains("is not a checkpoint", (await Offline("audit", "verify", "--offline", File("export.ndjson"), "--checkpoint", File("key.json"),
            "--checkpoint-key", File("key.json"))).Exited(2).Error);
    }

    private static AuditEntryView Parse(string line) => JsonSerializer.Deserialize(line, ManagementJson.Default.AuditEntryView)!;

    private static IEnumerable<string> Rehash(IEnumerable<AuditEntryView> entries)
    {
        var previous = AuditHash.GenesisHash;
        foreach (var entry in entries)
        {
            var linked = entry with { PreviousHash = previous, Hash = AuditHash.Compute(entry.TenantId, entry.Sequence, previous, entry.Event) };
            previous = linked.Hash;
            yield return JsonSerializer.Serialize(linked, new JsonSerializerOptions(ManagementJson.Default.AuditEntryView.Options) { WriteIndented = false });
        }
    }
}
