using System.Globalization;
using IoTIdentity.Provisioning.Storage.Sqlite;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The SQLite store's settings (<c>Storage:Provider</c> = <c>sqlite</c>, the default): <c>Storage:Sqlite:Path</c> (else
/// <c>iotidentity.db</c> in the data directory) and <c>Storage:Sqlite:CacheMegabytes</c> (SQLite's page cache per
/// connection, <see cref="SqliteStoreOptions.CacheMegabytes"/>). Read when the host is built, so a bad value stops the
/// start with the setting's name instead of failing at the first grain that touches the store.
/// </summary>
public static class SqliteStorageConfiguration
{
    /// <summary>The configuration key of the database file.</summary>
    public const string PathKey = "Storage:Sqlite:Path";

    /// <summary>The configuration key of the page cache size.</summary>
    public const string CacheMegabytesKey = "Storage:Sqlite:CacheMegabytes";

    /// <summary>The store's options from <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidOperationException">A setting is not a value the store accepts.</exception>
    public static SqliteStoreOptions Options(IConfiguration configuration, string dataDirectory)
    {
        var options = new SqliteStoreOptions { DatabasePath = configuration[PathKey] ?? Path.Combine(dataDirectory, "iotidentity.db") };
        if (configuration[CacheMegabytesKey] is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes)
                || megabytes is < SqliteStoreOptions.MinCacheMegabytes or > SqliteStoreOptions.MaxCacheMegabytes)
                throw new InvalidOperationException($"{CacheMegabytesKey} '{text}' is not a whole number of MiB from " +
                    $"{SqliteStoreOptions.MinCacheMegabytes} to {SqliteStoreOptions.MaxCacheMegabytes} (SQLite's page cache per connection).");
            options.CacheMegabytes = megabytes;
        }
        return options;
    }
}
