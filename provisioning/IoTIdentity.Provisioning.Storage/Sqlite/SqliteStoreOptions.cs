namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>Settings for <see cref="SqliteProvisioningStore"/>; bindable from configuration.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file. Its directory is created if missing; the file is created on first open.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// How long a statement waits for another connection's write lock (another process on the same file) before the
    /// store reports <see cref="StoreUnavailableException"/>. Default 5 seconds; at least 1 second.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Commit durability; see <see cref="SqliteDurability"/>. Default <see cref="SqliteDurability.Normal"/>.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Normal;

    /// <summary>How many idle read connections to keep open for reuse (1–64, default 4). Reads beyond it still run
    /// concurrently on extra connections, which are closed afterwards.</summary>
    public int MaxIdleReaders { get; set; } = 4;

    /// <summary>SQLite's page cache per connection, in MiB (<see cref="MinCacheMegabytes"/>–<see cref="MaxCacheMegabytes"/>,
    /// default 2, SQLite's own default). A bulk write into B-trees larger than the cache re-reads and spills pages for
    /// every row; a cache the size of the indexes lets a batch of writes touch each page once, and a read served from
    /// the cache does not wait for the disk.</summary>
    public int CacheMegabytes { get; set; } = 2;

    /// <summary>The smallest <see cref="CacheMegabytes"/> accepted.</summary>
    public const int MinCacheMegabytes = 1;

    /// <summary>The largest <see cref="CacheMegabytes"/> accepted (per connection: the writer and every pooled reader
    /// may each fill one).</summary>
    public const int MaxCacheMegabytes = 4096;
}
