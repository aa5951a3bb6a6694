using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// The database layout and its migrations. <c>schema_version</c> holds one row, the version applied; opening a
/// store applies every later migration in one transaction, and refuses a file written by a newer build.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Migration <c>i</c> moves the schema from version <c>i</c> to <c>i + 1</c>. Append only.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE grain_state (
            kind  TEXT NOT NULL,
            key   TEXT NOT NULL,
            etag  TEXT NOT NULL,
            data  BLOB NOT NULL,
            PRIMARY KEY (kind, key));

        CREATE TABLE claims (
            scope TEXT NOT NULL,
            value TEXT NOT NULL,
            owner TEXT NOT NULL,
            PRIMARY KEY (scope, value)) WITHOUT ROWID;

        CREATE TABLE devices (
            tenant_id                   TEXT    NOT NULL,
            device_id                   TEXT    NOT NULL,
            state                       TEXT    NOT NULL,
            firmware                    TEXT,
            certificate_serial          TEXT,
            certificate_not_after_ticks INTEGER,
            compliant                   INTEGER NOT NULL,
            updated_ticks               INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, device_id)) WITHOUT ROWID;
        CREATE INDEX devices_by_state ON devices (tenant_id, state, device_id);

        CREATE TABLE audit (
            tenant_id       TEXT    NOT NULL,
            sequence        INTEGER NOT NULL,
            action          TEXT    NOT NULL,
            subject         TEXT    NOT NULL,
            outcome         TEXT    NOT NULL,
            evidence_digest TEXT,
            actor           TEXT    NOT NULL,
            at_ticks        INTEGER NOT NULL,
            details         TEXT,
            previous_hash   TEXT    NOT NULL,
            hash            TEXT    NOT NULL,
            PRIMARY KEY (tenant_id, sequence)) WITHOUT ROWID;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
        """
        ALTER TABLE devices ADD COLUMN group_id        TEXT;
        ALTER TABLE devices ADD COLUMN tags            TEXT    NOT NULL DEFAULT '[]';
        ALTER TABLE devices ADD COLUMN last_seen_ticks INTEGER;
        ALTER TABLE devices ADD COLUMN connected       INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX devices_by_group ON devices (tenant_id, group_id, device_id);
        """,
        """
        CREATE INDEX audit_by_subject ON audit (tenant_id, subject, sequence);
        """,
        """
        ALTER TABLE devices ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
        """,
        // Rows written before the inventory carried the group, tags and presence (version 1) lack them; every row
        // existing now is listed for re-indexing from its device's state (ListDevicesToReindexAsync) until rewritten.
        """
        ALTER TABLE devices ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX devices_to_reindex ON devices (tenant_id, device_id) WHERE indexed = 0;
        """,
    ];

    /// <summary>The version this build writes and understands.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>Switches the file to WAL and brings the schema to <see cref="LatestVersion"/>.</summary>
    /// <exception cref="StoreUnavailableException">WAL cannot be enabled, or the file is from a newer build.</exception>
    public static void Migrate(SqliteConnection connection, string path)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = wal.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StoreUnavailableException(
                    $"SQLite store '{path}' could not switch to WAL journal mode (got '{mode}'); " +
                    "the file system may not support the shared memory WAL needs.");
            }
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
            SELECT max(version) FROM schema_version;
            """;
        var version = command.ExecuteScalar() is long applied ? (int)applied : 0;
        if (version > LatestVersion)
        {
            throw new StoreUnavailableException(
                $"SQLite store '{path}' has schema version {version}, but this build understands only up to " +
                $"version {LatestVersion}; it was written by a newer version of the service.");
        }

        if (version == LatestVersion)
        {
            return;
        }

        for (var next = version; next < LatestVersion; next++)
        {
            command.CommandText = Migrations[next];
            command.ExecuteNonQuery();
        }

        command.CommandText = "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($version);";
        command.Parameters.AddWithValue("$version", LatestVersion);
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}
