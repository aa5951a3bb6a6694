using IoTIdentity.Provisioning.Storage.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Tests.Sqlite;

/// <summary>
/// The write-ahead log is copied into the database by the store's checkpointer, never inside a commit, once it holds
/// SQLite's 1,000 pages, and stays bounded under writes that never pause; nothing committed is lost on the way.
/// </summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private const int PageSize = 4096;
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SqliteProvisioningStore Open() =>
        SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = _directory.File("store.db") });

    /// <summary>The log's high-water mark in pages: its file is reused from the start, never shortened, while the store is open.</summary>
    private long LogPages() => (new FileInfo(_directory.File("store.db-wal")).Length - 32) / (PageSize + 24);

    private static byte[] Blob(int i) => Enumerable.Range(0, 16 * 1024).Select(b => (byte)(b * 31 + i)).ToArray();

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task Commits_go_on_while_a_checkpoint_is_held_and_none_of_them_checkpoints()
    {
        using (var store = Open())
        {
            using var entered = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            store.Checkpointer.BeforeRound = () =>
            {
                entered.Set();
                release.Wait();
            };
            try
            {
                // ≈ 5 pages per commit: the commit that passes 1,000 pages asks for a checkpoint, which is held; the
                // commits after it are acknowledged meanwhile and, with SQLite's own checkpoint off, the log keeps them all
                for (var i = 0; i < 400; i++)
                {
                    await store.WriteAsync("device", $"d{i}", Blob(i), null);
                }

                Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "no checkpoint was asked for");
                Assert.Equal(0, store.Checkpointer.Passes);
                Assert.True(LogPages() > 1900, $"{LogPages()} pages in the log");
            }
            finally
            {
                store.Checkpointer.BeforeRound = null;
                release.Set();
            }

            await Until(() => store.Checkpointer.Passes >= 1);
            await store.WriteAsync("device", "after", Blob(-1), null);
        }

        using var reopened = Open();
        for (var i = 0; i < 400; i++)
        {
            Assert.Equal(Blob(i), (await reopened.ReadAsync("device", $"d{i}"))!.Data);
        }

        Assert.Equal(Blob(-1), (await reopened.ReadAsync("device", "after"))!.Data);
    }

    [Fact]
    public async Task A_log_below_the_threshold_is_left_to_grow()
    {
        using var store = Open();
        for (var i = 0; i < 100; i++)
        {
            await store.WriteAsync("device", $"d{i}", Blob(i), null);
        }

        await Task.Delay(200);
        Assert.Equal(0, store.Checkpointer.Passes);

        for (var i = 100; i < 300; i++)
        {
            await store.WriteAsync("device", $"d{i}", Blob(i), null);
        }

        await Until(() => store.Checkpointer.Passes >= 1);
    }

    /// <summary>
    /// Below <see cref="SqliteCheckpointer.RestartPages"/> a round only copies beside the writer, one round per
    /// <see cref="SqliteCheckpointer.ThresholdPages"/> the log grows by; from there a round holds the writer once, so that
    /// the log starts over. Under load, every held pass is a pause of all writes: they come once per 8,000 pages.
    /// </summary>
    [Fact]
    public async Task Below_the_restart_size_rounds_copy_beside_the_writer_once_per_threshold_of_growth_and_past_it_one_holds_it()
    {
        using var store = Open();
        for (var i = 0; i < 1000; i++)
        {
            await store.WriteAsync("device", $"d{i}", Blob(i), null);
        }

        var pages = LogPages();
        Assert.InRange(pages, 3 * SqliteCheckpointer.ThresholdPages, SqliteCheckpointer.RestartPages - 1);
        await Until(() => store.Checkpointer.Passes >= 1);
        Assert.Equal(0, store.Checkpointer.WriterPauses);

        // at most one round per threshold of growth, of at most three passes each (a round asked for by every commit
        // past the threshold would have run hundreds); a checkpointer that lags behind runs fewer, larger rounds
        Assert.InRange(store.Checkpointer.Passes, 1, 3 * (pages / SqliteCheckpointer.ThresholdPages));

        for (var i = 1000; store.Checkpointer.WriterPauses == 0 && i < 5000; i++)
        {
            await store.WriteAsync("device", $"d{i}", Blob(i), null);
        }

        Assert.Equal(1, store.Checkpointer.WriterPauses);
        Assert.True(LogPages() >= SqliteCheckpointer.RestartPages, $"the writer was held with {LogPages()} pages in the log");
    }

    [Fact]
    public async Task A_round_that_faults_is_tried_again_on_a_later_commit()
    {
        using var store = Open();
        var rounds = 0;
        store.Checkpointer.BeforeRound = () =>
        {
            if (Interlocked.Increment(ref rounds) == 1)
            {
                throw new IOException("injected fault of the first round");
            }
        };

        // the first round faults; the thread goes on, and a commit past the threshold after it asks again
        for (var i = 0; store.Checkpointer.WriterPauses == 0 && i < 5000; i++)
        {
            await store.WriteAsync("device", $"d{i}", Blob(i), null);
        }

        Assert.True(store.Checkpointer.WriterPauses >= 1, "no checkpoint after the fault");
        Assert.True(Volatile.Read(ref rounds) >= 2);
        Assert.Equal(Blob(0), (await store.ReadAsync("device", "d0"))!.Data);
    }

    /// <summary>
    /// The database file is synced between the passes beside the writer and the pass that holds it, so that the held
    /// pass's own sync finds only what it copied: before every held pass, and with writes going on meanwhile.
    /// </summary>
    [Fact]
    public async Task Every_pass_that_holds_the_writer_follows_a_sync_of_the_database_during_which_writes_commit()
    {
        using var store = Open();
        var real = store.Checkpointer.SyncDatabase;
        var syncs = 0;
        var committedDuringSync = 0;
        store.Checkpointer.SyncDatabase = () =>
        {
            var n = Interlocked.Increment(ref syncs);

            // a write issued now commits before the sync starts only if the writer is not held around it
            var write = store.WriteAsync("device", $"during-sync-{n}", Blob(n), null);
            if (write.Wait(TimeSpan.FromSeconds(10)))
            {
                Interlocked.Increment(ref committedDuringSync);
            }

            Assert.Equal(n - 1, store.Checkpointer.WriterPauses);
            return real();
        };

        for (var i = 0; store.Checkpointer.WriterPauses < 3 && i < 10_000; i++)
        {
            await store.WriteAsync("device", $"d{i}", Blob(i), null);
        }

        await Until(() => store.Checkpointer.WriterPauses >= 3);
        Assert.Equal(store.Checkpointer.WriterPauses, store.Checkpointer.DatabaseSyncs);
        Assert.Equal(Volatile.Read(ref syncs), Volatile.Read(ref committedDuringSync));
        for (var n = 1; n <= Volatile.Read(ref syncs); n++)
        {
            Assert.Equal(Blob(n), (await store.ReadAsync("device", $"during-sync-{n}"))!.Data);
        }
    }

    /// <summary>A sync that fails (an I/O error) ends the round before the writer is held, as a failed checkpoint does:
    /// the log is left as it was, and a later commit past the threshold asks again.</summary>
    [Fact]
    public async Task A_failed_sync_of_the_database_holds_no_writer_and_a_later_commit_asks_again()
    {
        using (var store = Open())
        {
            var real = store.Checkpointer.SyncDatabase;
            var syncs = 0;
            long pausesAtSecondSync = -1;
            store.Checkpointer.SyncDatabase = () =>
            {
                if (Interlocked.Increment(ref syncs) == 1)
                {
                    return false;
                }

                Interlocked.CompareExchange(ref pausesAtSecondSync, store.Checkpointer.WriterPauses, -1);
                return real();
            };

            for (var i = 0; store.Checkpointer.WriterPauses == 0 && i < 5000; i++)
            {
                await store.WriteAsync("device", $"d{i}", Blob(i), null);
            }

            await Until(() => store.Checkpointer.WriterPauses >= 1);
            Assert.Equal(0, Interlocked.Read(ref pausesAtSecondSync));
            Assert.True(Volatile.Read(ref syncs) >= 2);
            Assert.Equal(store.Checkpointer.WriterPauses, store.Checkpointer.DatabaseSyncs);
        }

        using var reopened = Open();
        Assert.Equal(Blob(0), (await reopened.ReadAsync("device", "d0"))!.Data);
    }

    /// <summary>
    /// Writers that never pause leave a passive checkpoint no moment at which the whole log is copied; the pass with
    /// the writer held is what lets the log start over. Without it the log would hold all ≈ 118,000 pages written.
    /// </summary>
    [Fact]
    public async Task The_log_stays_bounded_under_writes_that_never_pause_and_every_write_is_kept()
    {
        const int writers = 4;
        const int each = 4000;
        using (var store = Open())
        {
            using var stop = new CancellationTokenSource();
            var reader = Task.Run(async () =>
            {
                var random = new Random(7);
                while (!stop.IsCancellationRequested)
                {
                    await store.ReadAsync("device", $"w{random.Next(writers)}-{random.Next(each)}");
                }
            });
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    await store.WriteAsync("device", $"w{w}-{i}", Blob(w * each + i), null);
                }
            })));
            await stop.CancelAsync();
            await reader;

            // how far the log grows past the restart size depends on how fast writes come (here far faster than a
            // service writes: ≈ 10,000 pages a second) and how long a checkpoint takes, not on how much was written:
            // with the log started over from 1,000 pages it grew to ≈ 2,100–2,300 on a quiet machine, and once to
            // 20,389 with a fresh-clone CI's other suites running beside it. The bound is half of what is written.
            Assert.True(store.Checkpointer.WriterPauses >= 3, $"{store.Checkpointer.WriterPauses} restarts");
            Assert.True(LogPages() < 59_200, $"{LogPages()} pages in the log");
            for (var i = 0; i < writers * each; i++)
            {
                Assert.Equal(Blob(i), (await store.ReadAsync("device", $"w{i / each}-{i % each}"))!.Data);
            }
        }

        using var reopened = Open();
        for (var i = 0; i < writers * each; i++)
        {
            Assert.Equal(Blob(i), (await reopened.ReadAsync("device", $"w{i / each}-{i % each}"))!.Data);
        }
    }
}
