using System.Collections.Concurrent;
using System.Reflection;
using IoTIdentity.Provisioning.Storage.Sqlite;
using IoTIdentity.Provisioning.Storage.Tests.Sqlite;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Storage.Tests;

/// <summary>
/// A walk over the store yields every entry or device once, in order, across page boundaries, and reads each page on
/// the background lane (SCHED_IDLE), off the caller's scheduler, while the caller goes on with each page at its own
/// priority: SQLite reads complete synchronously, so a walk read in place would hold the caller's thread (a grain's
/// turn) from its first page to its last, and one read at normal priority takes CPU time from the requests beside it.
/// </summary>
public sealed class StorePagesTests : IDisposable
{
    private const int Page = StoreLimits.MaxPageSize;
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SqliteProvisioningStore Open() =>
        SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = _directory.File($"{Guid.NewGuid():N}.db") });

    private static AuditEvent Event(int i) => new()
    {
        Action = "enrol", Subject = $"d{i}", Outcome = "allowed", Actor = "test",
        At = new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero).AddSeconds(i),
    };

    private static async Task AppendAsync(IProvisioningStore store, string tenantId, int count)
    {
        // appended side by side, the writer commits them in a few transactions
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => store.AppendAuditAsync(tenantId, Event(i))));
    }

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<IReadOnlyList<T>> pages)
    {
        var all = new List<T>();
        await foreach (var page in pages)
        {
            Assert.InRange(page.Count, 1, Page);
            all.AddRange(page);
        }

        return all;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(Page - 1, 1)]
    [InlineData(Page, 1)]
    [InlineData(Page + 1, 1)]
    [InlineData(2 * Page + 1, 1)]
    [InlineData(2 * Page + 1, Page)]
    [InlineData(2 * Page + 1, Page + 1)]
    [InlineData(2 * Page + 1, 2 * Page + 1)]
    [InlineData(2 * Page + 1, 2 * Page + 2)]
    public async Task The_audit_walk_yields_every_entry_from_its_start_once_in_order(int length, long from)
    {
        using var store = Open();
        await AppendAsync(store, "t1", length);
        await AppendAsync(store, "t2", 3);

        var entries = await AllAsync(StorePages.AuditAsync(store, "t1", from));

        Assert.Equal(Enumerable.Range((int)from, Math.Max(0, length - (int)from + 1)).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.All(entries, e => Assert.Equal("t1", e.TenantId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Page)]
    [InlineData(Page + 1)]
    [InlineData(2 * Page + 3)]
    public async Task The_device_walk_yields_every_device_the_filters_pick_once(int count)
    {
        using var store = Open();
        var at = new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            store.UpsertDeviceAsync(new DeviceRecord("t1", $"dev-{i:D5}", i % 3 == 0 ? "Revoked" : "Active", null, null, null, true, at))));
        await store.UpsertDeviceAsync(new DeviceRecord("t2", "dev-other", "Active", null, null, null, true, at));

        var active = await AllAsync(StorePages.DevicesAsync(store, "t1", new DeviceQuery { State = "Active", PageSize = 7, ContinuationToken = "ignored" }));
        var every = await AllAsync(StorePages.DevicesAsync(store, "t1"));

        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 3 != 0).Select(i => $"dev-{i:D5}"), active.Select(d => d.DeviceId));
        Assert.Equal(count, every.Select(d => d.DeviceId).Distinct().Count());
        Assert.All(every, d => Assert.Equal("t1", d.TenantId));
    }

    [Fact]
    public async Task Every_page_is_read_on_the_background_lane_off_the_callers_scheduler_and_the_caller_goes_on_at_its_own_priority()
    {
        using var sqlite = Open();
        await AppendAsync(sqlite, "t1", 2 * Page + 1);
        await Task.WhenAll(Enumerable.Range(0, Page + 1).Select(i =>
            sqlite.UpsertDeviceAsync(new DeviceRecord("t1", $"dev-{i:D5}", "Active", null, null, null, true, DateTimeOffset.UnixEpoch))));
        var (store, reads) = ReadRecorder.Around(sqlite);
        var callerPolicy = ThreadScheduling.Policy();
        Assert.NotEqual(BackgroundLane.IdlePolicy, callerPolicy);
        // a single-threaded scheduler, as a grain's activation is
        var turn = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        var consumer = new ConcurrentQueue<(int Policy, TaskScheduler Scheduler)>();

        var (entries, devices) = await Task.Factory.StartNew(async () =>
        {
            var walked = 0;
            await foreach (var page in StorePages.AuditAsync(store, "t1", 1))
            {
                consumer.Enqueue((ThreadScheduling.Policy(), TaskScheduler.Current));
                walked += page.Count;
            }
            var listed = await AllAsync(StorePages.DevicesAsync(store, "t1"));
            return (walked, listed.Count);
        }, CancellationToken.None, TaskCreationOptions.None, turn).Unwrap();

        Assert.Equal((2 * Page + 1, Page + 1), (entries, devices));
        Assert.Equal(5, reads.Count);
        Assert.All(reads, read => Assert.True(read.Policy == BackgroundLane.IdlePolicy && read.Scheduler == TaskScheduler.Default,
            $"{read.Method} ran under policy {read.Policy} on {read.Scheduler}"));
        Assert.Equal(3, consumer.Count);
        Assert.All(consumer, c => Assert.Equal((callerPolicy, turn), (c.Policy, c.Scheduler)));
    }

    [Fact]
    public async Task Work_handed_to_the_lane_runs_at_its_priority_in_order_and_the_caller_goes_on_at_its_own()
    {
        var callerPolicy = ThreadScheduling.Policy();
        var order = new ConcurrentQueue<int>();

        var policies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => StorePages.InBackground(() =>
        {
            order.Enqueue(i);
            return ThreadScheduling.Policy();
        })));

        Assert.All(policies, policy => Assert.Equal(BackgroundLane.IdlePolicy, policy));
        Assert.Equal(Enumerable.Range(0, 20), order);
        // awaited where no context takes the continuation, it would run on whichever thread completed the work
        var after = await Task.Run(async () =>
        {
            await StorePages.InBackground(() => 0).ConfigureAwait(false);
            return ThreadScheduling.Policy();
        });
        Assert.Equal(callerPolicy, after);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StorePages.InBackground(() => 1, cancelled.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_lane_keeps_its_priority_through_a_collection_it_triggers_in_the_middle_of_an_item(int generation)
    {
        // the runtime boosts a thread that triggers a GC and restores it afterwards when the thread's .NET priority is
        // not Normal; on Linux that restore is sched_setscheduler(SCHED_OTHER), and the rest of the item ran at normal priority
        var (before, afterCollect, afterAllocating, collections) = await StorePages.InBackground(() =>
        {
            var before = ThreadScheduling.Policy();
            GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
            var afterCollect = ThreadScheduling.Policy();
            // allocations that outlive their loop turn, so gen-0 collections are triggered here, as a page's work does
            var counted = GC.CollectionCount(0);
            var kept = new List<byte[]>();
            while (GC.CollectionCount(0) < counted + 3)
            {
                kept.Add(new byte[4096]);
                if (kept.Count == 1024) kept.Clear();
            }
            return (before, afterCollect, ThreadScheduling.Policy(), GC.CollectionCount(0) - counted);
        });

        Assert.True(collections >= 3, $"{collections} collections");
        Assert.Equal((BackgroundLane.IdlePolicy, BackgroundLane.IdlePolicy, BackgroundLane.IdlePolicy),
            (before, afterCollect, afterAllocating));
    }

    [Fact]
    public async Task A_failing_page_read_fails_the_walk_and_a_cancelled_walk_stops_between_pages()
    {
        using var sqlite = Open();
        await AppendAsync(sqlite, "t1", Page + 1);
        var (store, reads) = ReadRecorder.Around(sqlite, failAt: 2);

        var walked = new List<AuditEntry>();
        await Assert.ThrowsAsync<StoreUnavailableException>(async () =>
        {
            await foreach (var page in StorePages.AuditAsync(store, "t1", 1)) walked.AddRange(page);
        });
        Assert.Equal(Page, walked.Count);

        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var page in StorePages.AuditAsync(sqlite, "t1", 1, cancel.Token)) cancel.Cancel();
        });
    }

    /// <summary>Forwards every call to a store and records under which scheduling policy and on which scheduler each read ran; the <c>failAt</c>-th read fails as an unreachable store does.</summary>
    public class ReadRecorder : DispatchProxy
    {
        private IProvisioningStore _inner = null!;
        private ConcurrentQueue<Read> _reads = null!;
        private int _failAt;

        public sealed record Read(string Method, int Policy, TaskScheduler Scheduler);

        public static (IProvisioningStore Store, ConcurrentQueue<Read> Reads) Around(IProvisioningStore inner, int failAt = 0)
        {
            var store = Create<IProvisioningStore, ReadRecorder>();
            var recorder = (ReadRecorder)(object)store;
            recorder._inner = inner;
            recorder._reads = new ConcurrentQueue<Read>();
            recorder._failAt = failAt;
            return (store, recorder._reads);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name is nameof(IProvisioningStore.ReadAuditAsync) or nameof(IProvisioningStore.ListDevicesAsync))
            {
                _reads.Enqueue(new Read(targetMethod.Name, ThreadScheduling.Policy(), TaskScheduler.Current));
                if (_reads.Count == _failAt) throw new StoreUnavailableException("injected: the store is unreachable");
            }

            // the store's reads fail through their tasks, so nothing is thrown through reflection to unwrap
            return targetMethod.Invoke(_inner, args);
        }
    }
}
