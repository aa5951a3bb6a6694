using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// One open connection with the store's per-connection settings applied and its commands kept prepared: a
/// <see cref="SqliteCommand"/> keeps its compiled statements while its text is unchanged, so each SQL text is
/// compiled once per connection and only rebound afterwards. Used by one thread at a time.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>Opens a connection and applies the busy timeout, synchronous mode and page cache size (all per connection).</summary>
    public static SqliteSession Open(string connectionString, TimeSpan busyTimeout, SqliteDurability durability, int cacheMegabytes)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            var synchronous = durability == SqliteDurability.Full ? "FULL" : "NORMAL";
            pragmas.CommandText =
                $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = {synchronous}; " +
                $"PRAGMA cache_size = {-1024L * cacheMegabytes};";
            pragmas.ExecuteNonQuery();
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Returns the prepared command for <paramref name="sql"/>, bound to the given parameters.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
