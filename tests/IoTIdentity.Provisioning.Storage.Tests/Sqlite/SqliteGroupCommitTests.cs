using IoTIdentity.Provisioning.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Tests.Sqlite;

/// <summary>
/// Group commit: concurrent writes share one transaction, yet each keeps the outcome it would have had alone, is
/// acknowledged only once committed, and a failed COMMIT fails exactly the writes it held.
/// </summary>
public sealed class SqliteGroupCommitTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SqliteProvisioningStore Open() =>
        SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = _directory.File("store.db") });

    private static AuditEvent Event(string subject) => new()
    {
        Action = "device.register", Subject = subject, Outcome = "ok", Actor = "device", At = At,
    };

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Writes_issued_together_share_commits_and_a_conflicting_one_fails_alone()
    {
        using var store = Open();
        var before = store.GroupCommit.Commits;
        using var committing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.GroupCommit.BeforeCommit = _ =>
        {
            committing.Set();
            release.Wait();
        };

        // The first write finds the writer idle and commits on its own thread; the rest queue while it commits.
        var first = Task.Run(() => store.WriteAsync("device", "first", Bytes("first"), null));
        committing.Wait();
        var creates = Enumerable.Range(0, 100).Select(i => store.WriteAsync("device", $"d{i}", Bytes($"v{i}"), null)).ToList();
        var duplicate = store.WriteAsync("device", "d7", Bytes("second create"), null);
        var claims = Enumerable.Range(0, 20).Select(i => store.TryClaimAsync("serial", "s1", $"owner-{i}")).ToList();
        var appends = Enumerable.Range(0, 20).Select(i => store.AppendAuditAsync("t1", Event($"d{i}"))).ToList();
        var failedBatch = store.WriteBatchAsync(batch =>
        {
            batch.AppendAudit("t1", Event("batch"));
            batch.WriteState("device", "d0", Bytes("third create"), null);
        });

        release.Set();
        await first;
        await Task.WhenAll(creates);
        var conflict = await Assert.ThrowsAsync<StoreConcurrencyException>(() => duplicate);
        Assert.Contains("already exists", conflict.Message);
        await Assert.ThrowsAsync<StoreConcurrencyException>(() => failedBatch);
        bool[] firstWins = [true, .. Enumerable.Repeat(false, 19)];
        Assert.Equal(firstWins, await Task.WhenAll(claims));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), (await Task.WhenAll(appends)).Select(e => e.Sequence));

        // one commit for the first write, one for the 142 queued behind it
        Assert.Equal(2, store.GroupCommit.Commits - before);
        Assert.Equal("v7", System.Text.Encoding.UTF8.GetString((await store.ReadAsync("device", "d7"))!.Data));
        Assert.Equal("owner-0", await store.GetClaimOwnerAsync("serial", "s1"));
        Assert.DoesNotContain(await store.ReadAuditAsync("t1", 1, 100), e => e.Event.Subject == "batch");
        Assert.True((await store.VerifyAuditChainAsync("t1")).IsValid);
    }

    /// <summary>
    /// Many tasks race conditional state writes (each replaces the version it read), claims of shared values,
    /// audit appends, and batches that either commit whole or fail whole. After closing and reopening the file:
    /// each key's acknowledged writes form one chain of ETags (each replaced the previous acknowledged one, none was
    /// lost) ending in the stored version; each value is held by the one owner told it won; the audit log is
    /// exactly the acknowledged appends, gapless and chained; nothing a refused write or batch carried is there.
    /// That is the outcome of applying the acknowledged writes one by one in commit order.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Random_interleavings_of_conflicting_writes_end_as_if_applied_one_by_one(int seed)
    {
        var stateWrites = new List<(string Key, string? Expected, string Data, string? ETag)>();
        var claimResults = new List<(string Value, string Owner, bool Won)>();
        var appended = new List<AuditEntry>();
        var refusedSubjects = new List<string>();
        var store = Open();
        try
        {
            var tasks = Enumerable.Range(0, 12).Select(task => Task.Run(async () =>
            {
                var random = new Random(seed * 1000 + task);
                for (var i = 0; i < 25; i++)
                {
                    var tag = $"t{task}-{i}";
                    var key = $"k{random.Next(3)}";
                    switch (random.Next(4))
                    {
                        case 0:
                            var expected = (await store.ReadAsync("device", key))?.ETag;
                            try
                            {
                                var etag = await store.WriteAsync("device", key, Bytes(tag), expected);
                                lock (stateWrites) stateWrites.Add((key, expected, tag, etag));
                            }
                            catch (StoreConcurrencyException)
                            {
                                lock (stateWrites) stateWrites.Add((key, expected, tag, null));
                            }

                            break;
                        case 1:
                            var value = $"v{random.Next(4)}";
                            var owner = $"o{task}";
                            var won = await store.TryClaimAsync("serial", value, owner);
                            lock (claimResults) claimResults.Add((value, owner, won));
                            break;
                        case 2:
                            var entry = await store.AppendAuditAsync("t1", Event(tag));
                            lock (appended) appended.Add(entry);
                            break;
                        default:
                            // a batch: an audit entry and a conditional state write, committed together or not at all
                            var read = (await store.ReadAsync("device", key))?.ETag;
                            AuditEntry? batchEntry = null;
                            string? batchETag = null;
                            try
                            {
                                await store.WriteBatchAsync(batch =>
                                {
                                    batchEntry = batch.AppendAudit("t1", Event(tag));
                                    batchETag = batch.WriteState("device", key, Bytes(tag), read);
                                });
                                lock (stateWrites) stateWrites.Add((key, read, tag, batchETag));
                                lock (appended) appended.Add(batchEntry!);
                            }
                            catch (StoreConcurrencyException)
                            {
                                lock (stateWrites) stateWrites.Add((key, read, tag, null));
                                lock (refusedSubjects) refusedSubjects.Add(tag);
                            }

                            break;
                    }
                }
            })).ToList();
            await Task.WhenAll(tasks);
        }
        finally
        {
            store.Dispose();
        }

        using var reopened = Open();
        foreach (var key in stateWrites.Select(w => w.Key).Distinct())
        {
            var acknowledged = stateWrites.Where(w => w.Key == key && w.ETag is not null).ToList();
            // no two acknowledged writes replaced the same version: none was lost
            Assert.Equal(acknowledged.Count, acknowledged.Select(w => w.Expected ?? "").Distinct().Count());
            var byExpected = acknowledged.ToDictionary(w => w.Expected ?? "");
            string? current = null;
            string? data = null;
            var chained = 0;
            while (byExpected.TryGetValue(current ?? "", out var next))
            {
                (current, data) = (next.ETag, next.Data);
                chained++;
            }

            Assert.Equal(acknowledged.Count, chained);
            var stored = await reopened.ReadAsync("device", key);
            Assert.Equal(current, stored?.ETag);
            Assert.Equal(data, stored is null ? null : System.Text.Encoding.UTF8.GetString(stored.Data));
        }

        foreach (var group in claimResults.GroupBy(c => c.Value))
        {
            var winners = group.Where(c => c.Won).Select(c => c.Owner).Distinct().ToList();
            Assert.Single(winners);
            Assert.Equal(winners[0], await reopened.GetClaimOwnerAsync("serial", group.Key));
            Assert.All(group.Where(c => c.Owner != winners[0]), c => Assert.False(c.Won));
        }

        var log = await reopened.ReadAuditAsync("t1", 1, 500);
        Assert.Equal(appended.OrderBy(e => e.Sequence).Select(e => (e.Sequence, e.Hash, e.Event.Subject)),
            log.Select(e => (e.Sequence, e.Hash, e.Event.Subject)));
        Assert.Empty(log.Select(e => e.Event.Subject).Intersect(refusedSubjects));
        Assert.True((await reopened.VerifyAuditChainAsync("t1")).IsValid);
    }

    [Fact]
    public async Task A_failed_COMMIT_fails_every_write_of_its_group_with_the_cause_and_keeps_none_of_them()
    {
        var path = _directory.File("store.db");
        var acknowledged = new List<string>();
        var failed = new List<(string Key, Exception Error)>();
        using (var store = Open())
        {
            await store.WriteAsync("device", "before", Bytes("before"), null);
            await store.AppendAuditAsync("t1", Event("before"));
            var faults = 0;
            store.GroupCommit.BeforeCommit = _ =>
            {
                // where SQLite's COMMIT would report an I/O error writing the log, with the transaction still open
                if (Interlocked.Increment(ref faults) == 1)
                {
                    throw new SqliteException("disk I/O error", 10, 10 | (4 << 8));
                }
            };

            var writes = Enumerable.Range(0, 30).Select(async i =>
            {
                var key = $"d{i}";
                try
                {
                    await store.WriteBatchAsync(batch =>
                    {
                        batch.WriteState("device", key, Bytes(key), null);
                        batch.AppendAudit("t1", Event(key));
                        batch.TryClaim("serial", key, key);
                    });
                    lock (acknowledged) acknowledged.Add(key);
                }
                catch (StoreUnavailableException e)
                {
                    lock (failed) failed.Add((key, e));
                }
            }).ToList();
            await Task.WhenAll(writes);

            Assert.NotEmpty(failed);
            Assert.All(failed, f =>
            {
                Assert.Contains("I/O error", f.Error.Message);
                Assert.Contains("commit of its group", f.Error.Message);
                Assert.Contains(path, f.Error.Message);
            });

            // the store goes on: the next write commits and the audit chain has no gap where the group failed
            var after = await store.AppendAuditAsync("t1", Event("after"));
            Assert.Equal(2 + acknowledged.Count, after.Sequence);
        }

        using var reopened = Open();
        Assert.Equal(30, acknowledged.Count + failed.Count);
        foreach (var key in acknowledged)
        {
            Assert.NotNull(await reopened.ReadAsync("device", key));
            Assert.Equal(key, await reopened.GetClaimOwnerAsync("serial", key));
        }

        foreach (var (key, _) in failed)
        {
            Assert.Null(await reopened.ReadAsync("device", key));
            Assert.Null(await reopened.GetClaimOwnerAsync("serial", key));
        }

        var subjects = (await reopened.ReadAuditAsync("t1", 1, 100)).Select(e => e.Event.Subject).ToList();
        Assert.Equal(["before", .. acknowledged.Order(), "after"], [subjects[0], .. subjects[1..^1].Order(), subjects[^1]]);
        Assert.True((await reopened.VerifyAuditChainAsync("t1")).IsValid);
    }

    [Fact]
    public async Task A_commit_failing_with_an_unexpected_error_fails_its_group_with_it_and_the_queue_goes_on()
    {
        using var store = Open();
        var faults = 0;
        store.GroupCommit.BeforeCommit = _ =>
        {
            if (Interlocked.Increment(ref faults) == 1)
            {
                throw new InvalidOperationException("unexpected");
            }
        };

        // the failure comes on the write's task, not thrown at its caller, and leaves no write waiting behind it
        var lost = store.WriteAsync("device", "lost", Bytes("x"), null);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => lost);
        Assert.Equal("unexpected", error.Message);

        await store.WriteAsync("device", "next", Bytes("y"), null).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(await store.ReadAsync("device", "lost"));
        Assert.NotNull(await store.ReadAsync("device", "next"));
        Assert.Equal(1, (await store.AppendAuditAsync("t1", Event("after"))).Sequence);
    }

    [Fact]
    public async Task A_write_whose_caller_cancels_before_its_group_runs_is_cancelled_and_not_written()
    {
        using var store = Open();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync("device", "d1", Bytes("x"), null, cancel.Token));

        Assert.Null(await store.ReadAsync("device", "d1"));
    }

    [Fact]
    public async Task Writes_queued_when_the_store_is_closed_fail_as_disposed_and_acknowledged_ones_survive()
    {
        var store = Open();
        var writes = Enumerable.Range(0, 50).Select(i => store.WriteAsync("device", $"d{i}", Bytes("x"), null)).ToList();
        store.Dispose();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }));

        using var reopened = Open();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(outcomes[i], await reopened.ReadAsync("device", $"d{i}") is not null);
        }
    }
}
