using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// The embedded <see cref="IProvisioningStore"/>: one SQLite file, for a single silo with zero set-up.
/// </summary>
/// <remarks>
/// <para><b>Concurrency.</b> The file is in WAL mode. All writes in this process go through one connection and are
/// group-committed (<see cref="SqliteGroupCommit"/>): writes queued while a transaction is prepared or committed run
/// together in the next one, each in its own savepoint, so writers queue without blocking threads, never contend for
/// SQLite's write lock among themselves, and share one WAL append and one lock cycle; each write still succeeds or
/// fails on its own, and its task completes after its transaction committed. Reads run in parallel on pooled read
/// connections and see every committed write. The log is copied into the database by <see cref="SqliteCheckpointer"/>
/// on connections and a thread of its own, never inside a commit. No transaction is held across awaits. Another process
/// opening the same file is tolerated (its writes wait up to <see cref="SqliteStoreOptions.BusyTimeout"/>) but is not
/// the supported deployment: use Cosmos DB for several silos.</para>
/// <para><b>ETags</b> are fresh random GUIDs (122 random bits, 32 hex digits) drawn on every write, so an ETag never matches a
/// later version, even after the document is deleted and re-created.</para>
/// <para><b>Durability</b> is <see cref="SqliteDurability.Normal"/> unless configured: see that value for the
/// power-loss trade-off.</para>
/// <para><b>Errors.</b> Every SQLite failure surfaces as <see cref="StoreUnavailableException"/> naming the file,
/// the operation and the cause; lost conditional writes as <see cref="StoreConcurrencyException"/>.</para>
/// </remarks>
public sealed partial class SqliteProvisioningStore : IProvisioningStore, IDisposable, IAsyncDisposable
{
    private readonly SqliteGroupCommit _writes;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly SqliteSession _writer;
    private readonly SqliteSessionPool _readers;
    private readonly Meter? _ownMeter;
    private volatile bool _disposed;

    private SqliteProvisioningStore(string path, SqliteSession writer, SqliteSession checkpointer, SqliteSession syncer,
        SqliteSessionPool readers, IMeterFactory? meters)
    {
        DatabasePath = path;
        _writer = writer;
        _ownMeter = meters is null ? new Meter(MeterName) : null;
        _writes = new SqliteGroupCommit(writer, path, meters?.Create(MeterName) ?? _ownMeter!);
        _checkpointer = new SqliteCheckpointer(checkpointer, syncer, writer, _writes);
        _readers = readers;
    }

    /// <summary>The meter of the writer's group commit: <c>iotid.sqlite.commits</c> and <c>iotid.sqlite.committed_writes</c>.</summary>
    public const string MeterName = "IoTIdentity.Storage.Sqlite";

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Opens (creating if needed) the database file: creates its directory, switches it to WAL, and creates or
    /// migrates the schema. Opening is synchronous because SQLite's I/O is.
    /// </summary>
    /// <param name="options">The file and its settings.</param>
    /// <param name="meters">The host's meter factory, which then owns the store's meter (<see cref="MeterName"/>) and
    /// scopes it to that host; without one the store has a meter of its own, disposed with it.</param>
    /// <returns>The open store; dispose it to close the file.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="StoreUnavailableException">The directory or file cannot be created or opened, the file is
    /// not a SQLite database, or it was written by a newer schema version.</exception>
    public static SqliteProvisioningStore Open(SqliteStoreOptions options, IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, "options.DatabasePath");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BusyTimeout, TimeSpan.FromSeconds(1), "options.BusyTimeout");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BusyTimeout, TimeSpan.FromMinutes(10), "options.BusyTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxIdleReaders, 1, "options.MaxIdleReaders");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxIdleReaders, 64, "options.MaxIdleReaders");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CacheMegabytes, SqliteStoreOptions.MinCacheMegabytes, "options.CacheMegabytes");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.CacheMegabytes, SqliteStoreOptions.MaxCacheMegabytes, "options.CacheMegabytes");

        var path = Path.GetFullPath(options.DatabasePath);
        CreateDirectory(path);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,

            // Microsoft.Data.Sqlite retries SQLITE_BUSY itself until this many seconds have passed; SQLite's own
            // busy_timeout (set per connection) has already waited that long, so this adds no second wait.
            DefaultTimeout = (int)Math.Max(1, options.BusyTimeout.TotalSeconds),
        }.ToString();

        SqliteSession Connect() => SqliteSession.Open(connectionString, options.BusyTimeout, options.Durability, options.CacheMegabytes);

        SqliteSession? writer = null;
        SqliteSession? checkpointer = null;
        SqliteSession? syncer = null;
        void CloseAll()
        {
            syncer?.Dispose();
            checkpointer?.Dispose();
            writer?.Dispose();
        }

        try
        {
            writer = Connect();
            SqliteSchema.Migrate(writer.Connection, path);
            checkpointer = Connect();
            syncer = Connect();
            return new SqliteProvisioningStore(path, writer, checkpointer, syncer, new SqliteSessionPool(Connect, options.MaxIdleReaders), meters);
        }
        catch (SqliteException e)
        {
            CloseAll();
            throw SqliteErrors.Unavailable(e, path, "open the database");
        }
        catch
        {
            CloseAll();
            throw;
        }
    }

    /// <summary>Closes every connection to the file; SQLite checkpoints the WAL into the database on the last close.
    /// Waits for a group of writes in progress to commit; writes queued behind it fail with
    /// <see cref="ObjectDisposedException"/>. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _checkpointer.Dispose(); // before the writer is held: its last pass may need the writer
        _writes.Exclusive(() =>
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writes.Dispose();
            _readers.Dispose();
            _writer.Dispose();
            _ownMeter?.Dispose();
        });
    }

    /// <summary>Closes the store as <see cref="Dispose"/> does.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void CreateDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new StoreUnavailableException(
                $"SQLite store '{path}' could not create its directory '{directory}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs several writes in one transaction on the writer connection, after earlier writes in this process: the
    /// rows are those the single writes (<see cref="WriteAsync"/>, <see cref="TryClaimAsync"/>,
    /// <see cref="AppendAuditAsync"/>, <see cref="UpsertDeviceAsync"/>) would write, committed together, or none
    /// of them if <paramref name="writes"/> throws (its exception then propagates).
    /// </summary>
    /// <param name="writes">Issues the writes; runs synchronously while the writer is held, so keep it to writes.</param>
    /// <param name="cancellationToken">Cancels waiting for the writer, not a batch already running.</param>
    /// <returns>A task that completes when the batch is committed.</returns>
    public Task WriteBatchAsync(Action<SqliteWriteBatch> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        return WithBatchAsync("write a batch", batch =>
        {
            writes(batch);
            return true;
        }, cancellationToken);
    }

    /// <summary>Runs one write of <see cref="SqliteWriteBatch"/>, grouped with concurrent writes, after earlier writes.</summary>
    private Task<T> WithBatchAsync<T>(string operation, Func<SqliteWriteBatch, T> write, CancellationToken cancellationToken) =>
        WithWriterAsync(operation, session => write(new SqliteWriteBatch(session, DatabasePath)), cancellationToken);

    /// <summary>
    /// Runs a write on the single writer connection, after earlier writes in this process, in one transaction with
    /// the writes queued beside it (<see cref="SqliteGroupCommit"/>): it fails alone, and its task completes once the
    /// transaction holding it committed.
    /// </summary>
    private Task<T> WithWriterAsync<T>(string operation, Func<SqliteSession, T> work, CancellationToken cancellationToken) =>
        _writes.Enqueue(operation, work, cancellationToken);

    /// <summary>Runs a read on a pooled read connection, concurrently with other reads and the writer.</summary>
    private Task<T> WithReaderAsync<T>(string operation, Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed, this);
            var session = _readers.Rent();
            T result;
            try
            {
                result = work(session);
            }
            catch
            {
                session.Dispose();
                throw;
            }

            _readers.Return(session);
            return Task.FromResult(result);
        }
        catch (SqliteException e)
        {
            return Task.FromException<T>(SqliteErrors.Unavailable(e, DatabasePath, operation));
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>Reads a per-connection setting of the writer connection (for tests).</summary>
    internal Task<object?> ReadWriterPragmaAsync(string pragma) =>
        WithWriterAsync("read a setting", session =>
        {
            using var command = session.Connection.CreateCommand();
            command.CommandText = $"PRAGMA {pragma};";
            return command.ExecuteScalar();
        }, CancellationToken.None);

    /// <summary>The writer's queue: its commit counters and its test hook at COMMIT (for tests and benchmarks).</summary>
    internal SqliteGroupCommit GroupCommit => _writes;

    /// <summary>The checkpointer: its counters (for tests).</summary>
    internal SqliteCheckpointer Checkpointer => _checkpointer;

    internal static string NewETag() => Guid.NewGuid().ToString("N");
}
