using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The checkpoint grain signs a new head only when the entry it signed last is still there with its hash and the
/// entries appended since chain on from it (each link and hash checked, across pages): a store rewritten under it —
/// after the signed head, at it, before it and rehashed onwards, or cut back below it, with or without entries
/// appended since — gets no checkpoint vouching for the change, and keeps the last one it had. It
/// reads those pages on the background lane (SCHED_IDLE), off its activation's turns, as the monitor's inventory sweep
/// reads the inventory.
/// </summary>
public sealed class AuditCheckpointGrainTests : IAsyncLifetime
{
    // the checkpointer and the monitor's own sweep stay out of the way: the tests ask for both
    private readonly ServiceFixture _service = ServiceFixture.With(new Dictionary<string, string?>
    {
        ["Provisioning:AuditSigning:CheckpointInterval"] = "01:00:00",
    }, FaultInjectingStore.Decorate);

    public Task InitializeAsync() => _service.InitializeAsync();

    public Task DisposeAsync() => _service.DisposeAsync();

    private FaultInjectingStore Store => (FaultInjectingStore)_service.Store;

    private async Task<string> TenantAsync() => (await _service.CreateTenantAsync($"ck-{Guid.NewGuid():N}"[..16], [])).TenantId;

    private Task AppendAsync(string tenantId, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Store.AppendAuditAsync(tenantId, new AuditEvent
        {
            Action = "revoke", Subject = $"d{i}", Outcome = "allowed", Actor = "api", At = DateTimeOffset.UtcNow,
        })));

    private IAuditCheckpointGrain Checkpoints(string tenantId) => _service.Grains.GetGrain<IAuditCheckpointGrain>(tenantId);

    [Fact]
    public async Task A_log_longer_than_a_page_is_checkpointed_at_its_head_and_then_on_from_there()
    {
        var tenant = await TenantAsync();
        await AppendAsync(tenant, StoreLimits.MaxPageSize + 7);
        var first = (await Checkpoints(tenant).CheckpointAsync()).Checkpoint!;
        var log = await _service.ReadAuditLogAsync(tenant);
        Assert.Equal((log[^1].Sequence, log[^1].Hash), (first.Size, first.HeadHash));

        Assert.Equal(new AuditCheckpointOutcome(first, null), await Checkpoints(tenant).CheckpointAsync());
        // an intact log, held to its signed head, verifies online
        using (var auditor = _service.ClientFor((await _service.Grains.GetGrain<ITenantGrain>(tenant).CreateApiKeyAsync(ApiRole.Auditor, "t")).Key))
        {
            var verified = JsonNode.Parse(await auditor.GetStringAsync("/api/v1/audit/verify"))!;
            Assert.True(verified["isValid"]!.GetValue<bool>(), verified.ToJsonString());
            Assert.Equal(log.Count, verified["entriesChecked"]!.GetValue<long>());
        }

        await AppendAsync(tenant, 2 * StoreLimits.MaxPageSize);
        var second = await Checkpoints(tenant).CheckpointAsync();
        log = await _service.ReadAuditLogAsync(tenant);
        Assert.Null(second.Inconsistency);
        Assert.Equal((log[^1].Sequence, log[^1].Hash), (second.Checkpoint!.Size, second.Checkpoint.HeadHash));
    }

    /// <summary>How a store is rewritten, relative to a signed head of <c>n</c> entries.</summary>
    public enum Rewrite
    {
        /// <summary>Entry n + 2's event edited, its stored hash kept.</summary>
        EditedAfterTheHead,
        /// <summary>Entry n + 2 edited and hashed again; entry n + 3 still links to the old hash.</summary>
        EditedAndRehashedAfterTheHead,
        /// <summary>Entry n + 2 removed.</summary>
        RemovedAfterTheHead,
        /// <summary>Entry n − 1 edited and the whole chain hashed again from there to the end.</summary>
        RewrittenBeforeTheHeadAndRehashedOnwards,
        /// <summary>The signed head itself edited and the chain hashed again from there to the end.</summary>
        HeadRewrittenAndRehashedOnwards,
        /// <summary>The signed head removed, the entries after it kept.</summary>
        HeadRemoved,
        /// <summary>Every entry from n − 1 on removed: the log ends before the signed head.</summary>
        CutBackBelowTheHead,
    }

    [Theory]
    [InlineData(Rewrite.EditedAfterTheHead, 4, 2)]
    [InlineData(Rewrite.EditedAndRehashedAfterTheHead, 4, 3)]
    [InlineData(Rewrite.RemovedAfterTheHead, 4, 2)]
    [InlineData(Rewrite.RewrittenBeforeTheHeadAndRehashedOnwards, 4, 0)]
    [InlineData(Rewrite.RewrittenBeforeTheHeadAndRehashedOnwards, 0, 0)]
    [InlineData(Rewrite.HeadRewrittenAndRehashedOnwards, 4, 0)]
    [InlineData(Rewrite.HeadRewrittenAndRehashedOnwards, 0, 0)]
    [InlineData(Rewrite.HeadRemoved, 4, 0)]
    [InlineData(Rewrite.HeadRemoved, 0, 0)]
    [InlineData(Rewrite.CutBackBelowTheHead, 4, 0)]
    [InlineData(Rewrite.CutBackBelowTheHead, 0, 0)]
    public async Task A_store_rewritten_under_the_signed_head_gets_no_new_checkpoint_and_keeps_the_last(Rewrite rewrite, int appendedAfter, int brokenAfterHead)
    {
        var tenant = await TenantAsync();
        await AppendAsync(tenant, 3);
        var signed = (await Checkpoints(tenant).CheckpointAsync()).Checkpoint!;
        await AppendAsync(tenant, appendedAfter);
        var n = signed.Size;

        switch (rewrite)
        {
            case Rewrite.EditedAfterTheHead: await RewriteAsync(tenant, n + 2, rehashUpTo: 0); break;
            case Rewrite.EditedAndRehashedAfterTheHead: await RewriteAsync(tenant, n + 2, rehashUpTo: n + 2); break;
            case Rewrite.RemovedAfterTheHead: await DeleteAsync(tenant, $"sequence = {n + 2}"); break;
            case Rewrite.RewrittenBeforeTheHeadAndRehashedOnwards: await RewriteAsync(tenant, n - 1, rehashUpTo: long.MaxValue); break;
            case Rewrite.HeadRewrittenAndRehashedOnwards: await RewriteAsync(tenant, n, rehashUpTo: long.MaxValue); break;
            case Rewrite.HeadRemoved: await DeleteAsync(tenant, $"sequence = {n}"); break;
            case Rewrite.CutBackBelowTheHead: await DeleteAsync(tenant, $"sequence >= {n - 1}"); break;
        }

        var outcome = await Checkpoints(tenant).CheckpointAsync();

        Assert.Equal(signed, outcome.Checkpoint);
        Assert.StartsWith($"entry {n + brokenAfterHead} does not chain on from the checkpoint of {n} entries signed before", outcome.Inconsistency);
        Assert.Equal(signed, await Checkpoints(tenant).GetAtAsync(DateTimeOffset.MaxValue));
        await AppendAsync(tenant, 1);
        Assert.Equal(signed, (await Checkpoints(tenant).CheckpointAsync()).Checkpoint);
        // and the API says so: a conflict, not a checkpoint
        using var client = _service.ClientFor((await _service.Grains.GetGrain<ITenantGrain>(tenant).CreateApiKeyAsync(ApiRole.Auditor, "t")).Key);
        using var response = await client.GetAsync("/api/v1/audit/checkpoint");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        // and the online verification, held to the signed head, finds the break where the checkpoint did
        var verified = JsonNode.Parse(await client.GetStringAsync("/api/v1/audit/verify"))!;
        Assert.False(verified["isValid"]!.GetValue<bool>(), verified.ToJsonString());
        Assert.Equal(n + brokenAfterHead, verified["firstBrokenSequence"]!.GetValue<long>());
        // and a compliance report over the log says it is broken where the checkpoint found it, not intact
        var period = $"from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"))}";
        using var report = await client.GetAsync($"/api/v1/reports/compliance?{period}&format=json");
        var chain = JsonNode.Parse(await report.Content.ReadAsStringAsync())!["report"]!["auditChain"]!;
        Assert.False(chain["intact"]!.GetValue<bool>(), chain.ToJsonString());
        Assert.Equal(n + brokenAfterHead, chain["firstBrokenSequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_checkpoint_and_the_inventory_sweep_read_their_pages_on_the_background_lane_off_the_grains_turns()
    {
        var tenant = await TenantAsync();
        await AppendAsync(tenant, StoreLimits.MaxPageSize + 1);
        var reads = new ConcurrentQueue<(string Operation, TaskScheduler Scheduler, string? Thread, int Policy, int Nice)>();
        Store.FailWhen(call =>
        {
            if (call.Operation is "read-audit" or "list-devices")
                reads.Enqueue((call.Operation, TaskScheduler.Current, Thread.CurrentThread.Name, ThreadScheduling.Policy(), ThreadScheduling.Nice()));
            return false;
        });

        await Checkpoints(tenant).CheckpointAsync();
        await _service.Grains.GetGrain<IMonitorGrain>(tenant).SweepAsync();
        Store.FailWhen(null);

        Assert.Contains(reads, r => r.Operation == "read-audit");
        Assert.Contains(reads, r => r.Operation == "list-devices");
        // lowered to SCHED_IDLE, or to nice 19 where the kernel refuses the policy
        Assert.All(reads, r => Assert.True(r.Scheduler == TaskScheduler.Default && r.Thread == BackgroundLane.ThreadName
            && (r.Policy == BackgroundLane.IdlePolicy || r.Nice == BackgroundLane.Nice), r.ToString()));
    }

    [Fact]
    public async Task A_store_fault_during_the_walk_fails_the_checkpoint_and_the_next_one_signs()
    {
        var tenant = await TenantAsync();
        await AppendAsync(tenant, StoreLimits.MaxPageSize + 1);
        var pages = 0;
        Store.FailWhen(call => call.Operation == "read-audit" && call.Scope == tenant && Interlocked.Increment(ref pages) == 2);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => Checkpoints(tenant).CheckpointAsync());
        Assert.Null(await Checkpoints(tenant).GetAtAsync(DateTimeOffset.MaxValue));

        Store.FailWhen(null);
        var log = await _service.ReadAuditLogAsync(tenant);
        Assert.Equal(log[^1].Hash, (await Checkpoints(tenant).CheckpointAsync()).Checkpoint!.HeadHash);
    }

    /// <summary>Edits entry <paramref name="sequence"/>'s outcome in the file and hashes entries again from it up to
    /// <paramref name="rehashUpTo"/> (each linked to the one before), as an attacker with the file would.</summary>
    private async Task RewriteAsync(string tenantId, long sequence, long rehashUpTo)
    {
        var log = await _service.ReadAuditLogAsync(tenantId);
        var sql = new List<string> { "DROP TRIGGER audit_no_update;" };
        var previous = log.Single(e => e.Sequence == sequence).PreviousHash;
        foreach (var entry in log.Where(e => e.Sequence >= sequence))
        {
            var auditEvent = entry.Sequence == sequence ? entry.Event with { Outcome = "refused:forged" } : entry.Event;
            var rehash = entry.Sequence <= rehashUpTo;
            var link = rehash ? previous : entry.PreviousHash;
            var hash = rehash ? AuditChain.ComputeHash(tenantId, entry.Sequence, link, auditEvent) : entry.Hash;
            sql.Add($"UPDATE audit SET outcome = '{auditEvent.Outcome}', previous_hash = '{link}', hash = '{hash}' WHERE tenant_id = '{tenantId}' AND sequence = {entry.Sequence};");
            previous = hash;
        }
        await ExecuteAsync(string.Join('\n', sql));
    }

    private Task DeleteAsync(string tenantId, string where) =>
        ExecuteAsync($"DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE tenant_id = '{tenantId}' AND {where};");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_service.DataDirectory, "iotidentity.db")};Pooling=False");
        connection.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
