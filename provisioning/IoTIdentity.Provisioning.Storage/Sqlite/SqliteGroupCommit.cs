using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// The writer connection's queue: every write of the store, from any grain or device, is queued here and run with
/// the writes queued beside it in one transaction, so many writes cost one WAL append and one lock cycle instead of
/// one each.
/// </summary>
/// <remarks>
/// <para><b>How a group forms.</b> A write that finds the writer idle commits at once on its caller's thread, as a
/// single autocommit write did (no thread hop, no added latency). Writes queued while a group commits wait and form
/// the next group, which a thread-pool flush commits straight after (the caller that committed the first group is
/// not kept to drain the queue), and so on while writes keep arriving. So under load a group holds what arrived during
/// the previous commit. (A first version scheduled every group on the thread pool: it grouped more — 2.1 writes per
/// commit at the knee — but put each write, ten per enrolment, behind a turn of the whole thread-pool queue; the
/// back-to-back pairs were too noisy to show which costs more: BENCHMARKS.md, Service levers, session 10. A thread of
/// the store's own for every commit kept a commit waiting for the disk off the pool, but on one CPU it doubled the
/// store's CPU per write and grouped far less: BENCHMARKS.md, session 35. The service keeps more pool threads ready
/// instead.)</para>
/// <para><b>Outcomes.</b> Each write of a group of several runs inside its own SAVEPOINT (a group of one needs none): a write that throws (a lost ETag race, a bad
/// argument, a batch callback that fails) is rolled back to its savepoint and fails alone; the others commit. A write's
/// task completes only after the COMMIT of its group succeeded, so it is as durable as an autocommit write was. If
/// BEGIN or COMMIT fails, or SQLite rolls the whole transaction back under a write (a full disk, an I/O error), every
/// write of the group fails with <see cref="StoreUnavailableException"/> and none of them is in the file; an error of
/// any other kind fails it the same way, with that error, and the queue goes on.</para>
/// <para>Continuations of the writes' tasks may run on the flushing thread after the group's outcome is known (not
/// while the writer is held): a caller must not block synchronously on a later write there.</para>
/// </remarks>
internal sealed class SqliteGroupCommit(SqliteSession writer, string databasePath, Meter meter) : IDisposable
{
    private readonly Counter<long> _commitCounter = meter.CreateCounter<long>(
        "iotid.sqlite.commits", description: "Transactions the SQLite store's writer committed (one per group of writes)");
    private readonly Counter<long> _writeCounter = meter.CreateCounter<long>(
        "iotid.sqlite.committed_writes", description: "Writes those transactions held (writes per commit = this / commits)");

    private readonly object _queueLock = new();
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private List<Write> _queued = [];
    private List<Write> _flushing = [];
    private bool _flushScheduled;
    private volatile bool _disposed;

    /// <summary>How many groups have committed (read by tests and benchmarks).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>How many writes those groups held.</summary>
    public long CommittedWrites => Interlocked.Read(ref _committedWrites);

    private long _commits;
    private long _committedWrites;

    /// <summary>A test hook run on the writer just before each COMMIT, inside the transaction.</summary>
    internal Action<SqliteSession>? BeforeCommit { get; set; }

    /// <summary>Queues <paramref name="work"/> to run on the writer in the next group.</summary>
    /// <returns>Its result once its group has committed; its exception (a SQLite error as
    /// <see cref="StoreUnavailableException"/>) if it or its group failed.</returns>
    public Task<T> Enqueue<T>(string operation, Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var write = new Write<T>(operation, work, cancellationToken);
        bool schedule;
        lock (_queueLock)
        {
            if (_disposed)
            {
                return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteProvisioningStore)));
            }

            _queued.Add(write);
            schedule = !_flushScheduled;
            _flushScheduled = true;
        }

        if (schedule)
        {
            Flush(inline: true);
        }

        return write.Task;
    }

    /// <summary>Runs <paramref name="action"/> on the writer with no group in progress (closing the connection).</summary>
    public void Exclusive(Action action)
    {
        _writerGate.Wait();
        try
        {
            action();
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <summary>Marks the queue closed: writes queued from now on, and those not yet run, fail with
    /// <see cref="ObjectDisposedException"/>. Call inside <see cref="Exclusive"/> before closing the writer.</summary>
    public void Dispose() => _disposed = true;

    /// <summary>Commits queued groups until the queue is empty; <paramref name="inline"/> (on a writer's own thread):
    /// one group, then the rest is handed to the thread pool.</summary>
    private void Flush(bool inline)
    {
        for (var groups = 0; ; groups++)
        {
            List<Write> group;
            lock (_queueLock)
            {
                if (_queued.Count == 0)
                {
                    _flushScheduled = false;
                    return;
                }

                if (inline && groups > 0)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.Flush(inline: false), this, preferLocal: false);
                    return;
                }

                group = _queued;
                _queued = _flushing;
                _flushing = group;
            }

            _writerGate.Wait();
            try
            {
                if (_disposed)
                {
                    foreach (var write in group)
                    {
                        write.Outcome = new ObjectDisposedException(nameof(SqliteProvisioningStore));
                    }
                }
                else
                {
                    Commit(group);
                }
            }
            finally
            {
                _writerGate.Release();
            }

            foreach (var write in group)
            {
                write.Complete();
            }

            group.Clear();
        }
    }

    /// <summary>Runs the group in one transaction, setting every write's <see cref="Write.Outcome"/>.</summary>
    private void Commit(List<Write> group)
    {
        var live = 0;
        foreach (var write in group)
        {
            write.Outcome = write.CancellationToken.IsCancellationRequested ? Write.Cancelled : null;
            live += write.Outcome is null ? 1 : 0;
        }

        if (live == 0)
        {
            return;
        }

        // BEGIN as a statement: the session's prepared commands carry no ADO transaction object. IMMEDIATE takes the
        // write lock now, so another process on the file makes BEGIN wait (busy_timeout), never a write halfway.
        var current = "begin a transaction";
        try
        {
            writer.Command("BEGIN IMMEDIATE;").ExecuteNonQuery();
            foreach (var write in group)
            {
                if (write.Outcome is not null)
                {
                    continue;
                }

                // A group of one (the common case when writes do not overlap) needs no savepoint: the transaction is its.
                current = write.Operation;
                if (live > 1)
                {
                    writer.Command("SAVEPOINT write;").ExecuteNonQuery();
                }

                try
                {
                    write.Run(writer);
                }
                catch (Exception e) when (e is not SqliteException || InTransaction)
                {
                    // This write alone failed (SQLite undid only its statement, if any): undo its other statements.
                    write.Outcome = e is SqliteException sqlite ? SqliteErrors.Unavailable(sqlite, databasePath, write.Operation) : e;
                    if (live == 1)
                    {
                        writer.Command("ROLLBACK;").ExecuteNonQuery();
                        return;
                    }

                    writer.Command("ROLLBACK TO write;").ExecuteNonQuery();
                }

                if (live > 1)
                {
                    writer.Command("RELEASE write;").ExecuteNonQuery();
                }
            }

            current = "commit";
            BeforeCommit?.Invoke(writer);
            writer.Command("COMMIT;").ExecuteNonQuery();
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _committedWrites, live);
            _commitCounter.Add(1);
            _writeCounter.Add(live);
        }
        catch (Exception e)
        {
            // BEGIN or COMMIT failed, or SQLite rolled the transaction back under a write, or something no write
            // expects failed: nothing of the group is in the file. Every write not refused on its own fails with the
            // cause (a SQLite one named for its own operation), and the queue goes on.
            if (InTransaction)
            {
                TryRollback();
            }

            foreach (var write in group)
            {
                write.Outcome ??= e is not SqliteException sqlite ? e : SqliteErrors.Unavailable(sqlite, databasePath,
                    current == write.Operation || current == "begin a transaction" ? write.Operation : $"{write.Operation} ({current} of its group)");
            }
        }
    }

    private bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(writer.Connection.Handle) == 0;

    private void TryRollback()
    {
        try
        {
            writer.Command("ROLLBACK;").ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // The connection is unusable; the next BEGIN reports why.
        }
    }

    /// <summary>One queued write and, once its group is done, its outcome.</summary>
    private abstract class Write(string operation, CancellationToken cancellationToken)
    {
        public static readonly Exception Cancelled = new OperationCanceledException();

        public string Operation => operation;

        public CancellationToken CancellationToken => cancellationToken;

        /// <summary>Null: succeeded (or not yet run); otherwise why it failed.</summary>
        public Exception? Outcome { get; set; }

        public abstract void Run(SqliteSession session);

        public abstract void Complete();
    }

    private sealed class Write<T>(string operation, Func<SqliteSession, T> work, CancellationToken cancellationToken)
        : Write(operation, cancellationToken)
    {
        private readonly TaskCompletionSource<T> _done = new();
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public override void Run(SqliteSession session) => _result = work(session);

        public override void Complete()
        {
            if (Outcome is null)
            {
                _done.SetResult(_result);
            }
            else if (ReferenceEquals(Outcome, Cancelled))
            {
                _done.SetCanceled(CancellationToken);
            }
            else
            {
                _done.SetException(Outcome);
            }
        }
    }
}
