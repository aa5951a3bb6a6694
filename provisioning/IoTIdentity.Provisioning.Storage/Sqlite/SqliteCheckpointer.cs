using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database from a connection and a thread of its own, so that no COMMIT of the
/// writer runs a checkpoint.
/// </summary>
/// <remarks>
/// <para><b>Why.</b> SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000 pages: that
/// commit syncs the log, copies the pages into the database and syncs it, and the writer — with it every write queued
/// behind it — waits meanwhile (BENCHMARKS.md, session 22: 60–95 ms about once a second under load, the largest part
/// of an enrolment's tail latency).</para>
/// <para><b>How.</b> The writer keeps SQLite's trigger but not its work: its WAL hook (<c>sqlite3_wal_hook</c>, which
/// replaces the automatic checkpoint) only wakes this thread once a commit leaves 1,000 pages more in the log than the
/// last round did (1,000 in all after a pass that holds the writer, below). The thread then copies the log with a
/// passive checkpoint, which runs beside the writer: commits meanwhile only append to the log (a pass that took over
/// 20 ms is followed by another, up to three, to copy what was committed during it). Readers look up only the pages
/// not yet copied, so a copied log costs them nothing.
/// A checkpoint that runs beside writes cannot leave the log empty, though, and SQLite starts the log over
/// only when a write transaction begins with every page of it copied. So once the log holds
/// <see cref="RestartPages"/> (8,000 pages, about 32 MiB), a last checkpoint follows with the writer
/// held (<see cref="SqliteGroupCommit.Exclusive"/>): it copies only what was committed during the last pass, waits up to
/// 5 ms for readers still reading the log's pages, and the next write starts the log over. Writes wait for that short
/// pass only, once per 8,000 pages written rather than once per 1,000: every such pass syncs the log and the database,
/// and on a virtual disk a sync now and then takes 50–150 ms whatever it flushes (BENCHMARKS.md, session 24).</para>
/// <para><b>The database's sync, beside the writer.</b> SQLite syncs the database file only in a pass that copies up
/// to the log's end as it stands when the pass ends; with commits arriving meanwhile only the pass that holds the
/// writer does. Its sync would then flush every page the passes beside the writer copied, and writes would wait for
/// all of it (BENCHMARKS.md, session 23: writer-held passes of 6 ms median and once 1.5 s). So between the two the
/// database file is synced here, beside the writer, and the held pass's own sync finds only what it copied itself.
/// That sync goes through a connection of its own (<c>sqlite3_file_control</c> with
/// <c>SQLITE_FCNTL_FILE_POINTER</c>, then the file's <c>xSync</c>): a failed sync reports its error to each open
/// descriptor of the file once, so the sync here must not be on the descriptor whose sync SQLite checks before it
/// lets the log start over. A failed sync ends the round before the writer is held, as a failed checkpoint does.</para>
/// <para><b>Guarantees.</b> A checkpoint never changes what is committed: every commit is in the log before it is
/// acknowledged (and synced there under <see cref="SqliteDurability.Full"/>), the checkpoint syncs the log before it
/// writes the database, and a crash at any point leaves SQLite to replay or re-copy the log on the next open, as it
/// did with automatic checkpoints. A checkpoint that fails (a reader still on old pages, another process
/// checkpointing, an I/O error), or a round that throws, leaves the log as it was; the next commit past the threshold
/// asks again, at most every <see cref="RetryDelay"/>.</para>
/// </remarks>
internal sealed unsafe partial class SqliteCheckpointer : IDisposable
{
    /// <summary>How far the log grows, in pages, before a commit asks for a round: SQLite's own threshold (and the
    /// log's size at which the first round after a restart is asked for).</summary>
    public const int ThresholdPages = 1000;

    /// <summary>The log's size, in pages, from which a round also holds the writer so that the log starts over (about
    /// 32 MiB of log at 4 KiB pages); a round below it only copies beside the writer.</summary>
    public const int RestartPages = 8000;

    /// <summary>How long the pass with the writer held waits for readers to leave the log, so that it can start over.</summary>
    private static readonly TimeSpan ReaderWait = TimeSpan.FromMilliseconds(5);

    /// <summary>A passive pass that took longer than this left enough committed meanwhile for another one beside the
    /// writer (the pass that holds the writer then copies less), up to <see cref="MaxPassesBeside"/> passes.</summary>
    private static readonly TimeSpan QuickPass = TimeSpan.FromMilliseconds(20);

    private const int MaxPassesBeside = 3;

    /// <summary>The pause after a checkpoint that could not finish, before the next one.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The open checkpointers by the id their writer's hook carries: a hook that fires after its
    /// checkpointer was disposed finds nothing.</summary>
    private static readonly ConcurrentDictionary<nint, SqliteCheckpointer> Registered = new();

    private static long _lastId;

    private readonly nint _id = (nint)Interlocked.Increment(ref _lastId);
    private readonly SqliteSession _session;
    private readonly SqliteSession _syncer;
    private readonly SqliteGroupCommit _writes;
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _signalled;
    private int _nextRoundAt = ThresholdPages;
    private long _passes;
    private long _writerPauses;
    private long _databaseSyncs;

    /// <summary>Checkpoints the database of <paramref name="writer"/> (whose automatic checkpoint this replaces) on
    /// <paramref name="session"/>, and syncs the database file between the passes on <paramref name="syncer"/>: two
    /// connections of its own, which it closes.</summary>
    public SqliteCheckpointer(SqliteSession session, SqliteSession syncer, SqliteSession writer, SqliteGroupCommit writes)
    {
        _session = session;
        _syncer = syncer;
        _writes = writes;
        SyncDatabase = SyncDatabaseFile;
        raw.sqlite3_busy_timeout(session.Connection.Handle, (int)ReaderWait.TotalMilliseconds);
        Registered[_id] = this;
        sqlite3_wal_hook(writer.Connection.Handle!.DangerousGetHandle(), &OnCommit, _id);

        // a thread of its own: a checkpoint blocks for as long as its copy and syncs take, and it must keep up when
        // the thread pool is busy (its lagging would let the log grow)
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>How many checkpoints were run, whether or not SQLite finished them (read by tests).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>How many of them held the writer so that the log could start over (read by tests).</summary>
    public long WriterPauses => Interlocked.Read(ref _writerPauses);

    /// <summary>How many times the database file was synced beside the writer, before a pass that holds it (read by tests).</summary>
    public long DatabaseSyncs => Interlocked.Read(ref _databaseSyncs);

    /// <summary>A test hook run on the checkpointer's thread before each round.</summary>
    internal Action? BeforeRound { get; set; }

    /// <summary>Syncs the database file beside the writer; whether it succeeded. Replaced by tests to fail it.</summary>
    internal Func<bool> SyncDatabase { get; set; }

    /// <summary>Stops the thread, waiting for a checkpoint in progress, and closes its two connections. The writer's hook
    /// then does nothing. Call before the writer is closed, and not while holding the writer.</summary>
    public void Dispose()
    {
        if (!Registered.TryRemove(_id, out _))
        {
            return;
        }

        _stop.Cancel();
        _thread.Join();
        _session.Dispose();
        _syncer.Dispose();
        // _requested is not disposed: a commit finishing as the store closes may still signal it (a SemaphoreSlim
        // without a wait handle holds nothing to release)
    }

    [LibraryImport("e_sqlite3")]
    private static partial nint sqlite3_wal_hook(nint db, delegate* unmanaged<nint, nint, byte*, int, int> callback, nint argument);

    [LibraryImport("e_sqlite3")]
    private static partial int sqlite3_file_control(nint db, byte* name, int operation, void* argument);

    private const int FileControlFilePointer = 7; // SQLITE_FCNTL_FILE_POINTER
    private const int SyncNormal = 2;             // SQLITE_SYNC_NORMAL, the flag SQLite's checkpoint syncs with

    /// <summary>The head of SQLite's <c>sqlite3_file</c>: its methods.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SqliteFile
    {
        public SqliteIoMethods* Methods;
    }

    /// <summary>The head of SQLite's <c>sqlite3_io_methods</c>, up to <c>xSync</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SqliteIoMethods
    {
        public int Version;
        public nint Close;
        public nint Read;
        public nint Write;
        public nint Truncate;
        public delegate* unmanaged<SqliteFile*, int, int> Sync;
    }

    /// <summary>SQLite's call after each commit of the writer, with the pages now in the log; on the committing thread.</summary>
    [UnmanagedCallersOnly]
    private static int OnCommit(nint id, nint db, byte* database, int pages)
    {
        if (pages >= ThresholdPages && Registered.TryGetValue(id, out var checkpointer) && pages >= Volatile.Read(ref checkpointer._nextRoundAt))
        {
            try
            {
                if (Interlocked.Exchange(ref checkpointer._signalled, 1) == 0)
                {
                    checkpointer._requested.Release();
                }
            }
            catch (Exception)
            {
                // nothing may escape into SQLite: the next commit asks again
                Volatile.Write(ref checkpointer._signalled, 0);
            }
        }

        return raw.SQLITE_OK;
    }

    private void Run()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            bool finished;
            try
            {
                _requested.Wait(token);
                finished = Round(token);
            }
            catch (OperationCanceledException)
            {
                return; // disposed
            }
            catch (Exception)
            {
                finished = false; // a fault of this round must not end the thread (nor the process): try again later
            }

            // commits up to here are copied; from now on a commit past the threshold asks again
            Volatile.Write(ref _signalled, 0);
            if (!finished)
            {
                token.WaitHandle.WaitOne(RetryDelay);
            }
        }
    }

    /// <summary>Passive passes beside the writer until one is quick, so that little is left for the pass that holds
    /// it; then that pass. Whether SQLite finished them all.</summary>
    private bool Round(CancellationToken token)
    {
        BeforeRound?.Invoke();
        bool finished;
        int logPages;
        var passes = 0;
        long started;
        do
        {
            started = Stopwatch.GetTimestamp();
            logPages = Checkpoint(raw.SQLITE_CHECKPOINT_PASSIVE);
            finished = logPages >= 0;
        }
        while (finished && ++passes < MaxPassesBeside && Stopwatch.GetElapsedTime(started) > QuickPass);

        if (finished && logPages < RestartPages)
        {
            Volatile.Write(ref _nextRoundAt, logPages + ThresholdPages);
            return true;
        }

        if (!finished || !SyncDatabase())
        {
            return false;
        }

        Interlocked.Increment(ref _databaseSyncs);
        _writes.Exclusive(() =>
        {
            if (!token.IsCancellationRequested)
            {
                finished &= Checkpoint(raw.SQLITE_CHECKPOINT_RESTART) >= 0;
                Interlocked.Increment(ref _writerPauses);
            }
        });
        if (finished)
        {
            Volatile.Write(ref _nextRoundAt, ThresholdPages); // the next write starts the log over
        }

        return finished;
    }

    /// <summary>Syncs the database file through the syncer's own descriptor of it; whether the sync succeeded.</summary>
    private bool SyncDatabaseFile()
    {
        SqliteFile* file = null;
        var main = "main\0"u8;
        fixed (byte* name = main)
        {
            if (sqlite3_file_control(_syncer.Connection.Handle!.DangerousGetHandle(), name, FileControlFilePointer, &file) != raw.SQLITE_OK
                || file is null || file->Methods is null)
            {
                return false;
            }
        }

        return file->Methods->Sync(file, SyncNormal) == raw.SQLITE_OK;
    }

    /// <summary>One checkpoint; the log's size in pages, or −1 if SQLite refused or failed it.</summary>
    private int Checkpoint(int mode)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(_session.Connection.Handle, null, mode, out var logPages, out _);
        Interlocked.Increment(ref _passes);
        return rc == raw.SQLITE_OK ? logPages : -1;
    }
}
