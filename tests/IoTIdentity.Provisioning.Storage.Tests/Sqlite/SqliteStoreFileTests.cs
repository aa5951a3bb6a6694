using IoTIdentity.Provisioning.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Tests.Sqlite;

/// <summary>What only the SQLite backend has: a file, its settings, its schema, and the ways it can fail.</summary>
public sealed class SqliteStoreFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static SqliteProvisioningStore Open(string path) =>
        SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = path });

    private static AuditEvent Event(string subject) => new()
    {
        Action = "enrol", Subject = subject, Outcome = "allowed", Actor = subject,
        At = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero),
    };

    private static long Scalar(string path, string sql)
    {
        using var connection = SqliteProvisioningStoreTests.RawConnection(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    [Fact]
    public async Task Data_survives_closing_and_reopening_the_file()
    {
        var path = _directory.File("nested/dirs/store.db");
        string etag;
        using (var store = Open(path))
        {
            etag = await store.WriteAsync("device", "d1", "state"u8.ToArray(), null);
            await store.TryClaimAsync("ek", "fingerprint", "d1");
            await store.UpsertDeviceAsync(new DeviceRecord("t1", "d1", "Active", null, null, null, true, DateTimeOffset.UnixEpoch));
            await store.AppendAuditAsync("t1", Event("d1"));
            await store.AppendAuditAsync("t1", Event("d2"));
        }

        Assert.False(File.Exists(path + "-wal"), "closing the last connection checkpoints and removes the WAL");
        using (var reopened = Open(path))
        {
            Assert.Equal(etag, (await reopened.ReadAsync("device", "d1"))!.ETag);
            Assert.Equal("d1", await reopened.GetClaimOwnerAsync("ek", "fingerprint"));
            Assert.Equal("Active", (await reopened.GetDeviceAsync("t1", "d1"))!.State);
            Assert.Equal(3, (await reopened.AppendAuditAsync("t1", Event("d3"))).Sequence);
            Assert.True((await reopened.VerifyAuditChainAsync("t1")).IsValid);
        }
    }

    [Theory]
    [InlineData(SqliteDurability.Normal, 1)]
    [InlineData(SqliteDurability.Full, 2)]
    public async Task The_file_is_in_wal_mode_at_the_configured_durability_with_a_schema_version(
        SqliteDurability durability, int synchronous)
    {
        var path = _directory.File("store.db");
        using var store = SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = path, Durability = durability });
        await store.WriteAsync("k", "k", "x"u8.ToArray(), null);

        using var connection = SqliteProvisioningStoreTests.RawConnection(path);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
        Assert.Equal(5, Scalar(path, "SELECT version FROM schema_version;"));

        // synchronous is per connection: ask the store's own writer.
        Assert.Equal((long)synchronous, await store.ReadWriterPragmaAsync("synchronous"));
    }

    [Fact]
    public async Task A_version_1_file_is_migrated_and_its_devices_read_back_without_group_tags_or_presence()
    {
        var path = _directory.File("store.db");
        using (var store = Open(path))
            await store.UpsertDeviceAsync(new DeviceRecord("t1", "d1", "Active", "1.0", null, null, true, DateTimeOffset.UnixEpoch));
        // back to the version 1 layout, as a file written before the inventory had groups, tags and presence
        Scalar(path, """
            DROP INDEX audit_by_subject; DROP INDEX devices_by_group; DROP INDEX devices_to_reindex;
            ALTER TABLE devices DROP COLUMN indexed; ALTER TABLE devices DROP COLUMN group_id; ALTER TABLE devices DROP COLUMN tags;
            ALTER TABLE devices DROP COLUMN last_seen_ticks; ALTER TABLE devices DROP COLUMN connected;
            ALTER TABLE devices DROP COLUMN links;
            UPDATE schema_version SET version = 1; SELECT 0;
            """);

        using var migrated = Open(path);
        var old = await migrated.GetDeviceAsync("t1", "d1");
        await migrated.UpsertDeviceAsync(old! with { GroupId = "g", Tags = ["a"] });

        Assert.Equal(new DeviceRecord("t1", "d1", "Active", "1.0", null, null, true, DateTimeOffset.UnixEpoch), old);
        Assert.Equal(5, Scalar(path, "SELECT version FROM schema_version;"));
        Assert.Equal(["d1"], (await migrated.ListDevicesAsync("t1", new DeviceQuery { GroupId = "g", Tag = "a" })).Items.Select(d => d.DeviceId));
    }

    [Fact]
    public async Task A_version_2_file_is_migrated_to_the_audit_index_by_subject_that_the_read_by_subject_needs()
    {
        var path = _directory.File("store.db");
        using (var store = Open(path))
            foreach (var subject in new[] { "d1", "d2", "d1", "d3", "d1" })
                await store.AppendAuditAsync("t1", Event(subject));
        // back to the version 2 layout, as a file written before the audit log had an index by subject
        Scalar(path, """
            DROP INDEX audit_by_subject; DROP INDEX devices_to_reindex; ALTER TABLE devices DROP COLUMN indexed;
            ALTER TABLE devices DROP COLUMN links; UPDATE schema_version SET version = 2; SELECT 0;
            """);
        Assert.Equal(0, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_subject';"));

        using var migrated = Open(path);
        var d1 = await migrated.ReadAuditBySubjectAsync("t1", "d1", 1, 10);

        Assert.Equal(5, Scalar(path, "SELECT version FROM schema_version;"));
        Assert.Equal([1L, 3L, 5L], d1.Select(e => e.Sequence));
        Assert.True((await migrated.VerifyAuditChainAsync("t1")).IsValid);
        // the store reads by subject through the index by name, so without the migration the read above would have failed
        Assert.Equal(1, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_subject';"));
    }

    [Fact]
    public async Task A_version_4_file_lists_each_device_for_reindexing_until_it_is_written_again()
    {
        var path = _directory.File("store.db");
        using (var store = Open(path))
        {
            foreach (var id in new[] { "d3", "d1", "d2" })
                await store.UpsertDeviceAsync(new DeviceRecord("t1", id, "Active", "1.0", null, null, true, DateTimeOffset.UnixEpoch));
            await store.UpsertDeviceAsync(new DeviceRecord("t2", "d9", "Active", "1.0", null, null, true, DateTimeOffset.UnixEpoch));
        }
        // back to the version 4 layout, as a file written before rows were marked as carrying every indexed field
        Scalar(path, """
            DROP INDEX devices_to_reindex; ALTER TABLE devices DROP COLUMN indexed;
            UPDATE schema_version SET version = 4; SELECT 0;
            """);

        using var migrated = Open(path);
        Assert.Equal(5, Scalar(path, "SELECT version FROM schema_version;"));
        Assert.Equal(["d1", "d2", "d3"], await migrated.ListDevicesToReindexAsync("t1", 10));
        Assert.Equal(["d1", "d2"], await migrated.ListDevicesToReindexAsync("t1", 2));
        Assert.Equal(["d9"], await migrated.ListDevicesToReindexAsync("t2", 10));

        var d2 = await migrated.GetDeviceAsync("t1", "d2");
        await migrated.UpsertDeviceAsync(d2! with { GroupId = "g", Tags = ["a"] });
        await migrated.UpsertDeviceAsync(new DeviceRecord("t1", "d0", "Active", null, null, null, true, DateTimeOffset.UnixEpoch));

        Assert.Equal(["d1", "d3"], await migrated.ListDevicesToReindexAsync("t1", 10));
        Assert.Equal(["d2"], (await migrated.ListDevicesAsync("t1", new DeviceQuery { GroupId = "g", Tag = "a" })).Items.Select(d => d.DeviceId));
        Assert.Equal(1, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'devices_to_reindex';"));
    }

    [Fact]
    public async Task A_version_3_file_is_migrated_and_its_devices_read_back_without_links_until_written_with_them()
    {
        var path = _directory.File("store.db");
        var device = new DeviceRecord("t1", "d1", "Active", "1.0", null, null, true, DateTimeOffset.UnixEpoch, "g", ["a"]);
        using (var store = Open(path))
            await store.UpsertDeviceAsync(device);
        // back to the version 3 layout, as a file written before inventory rows carried links
        Scalar(path, """
            DROP INDEX devices_to_reindex; ALTER TABLE devices DROP COLUMN indexed; ALTER TABLE devices DROP COLUMN links;
            UPDATE schema_version SET version = 3; SELECT 0;
            """);

        using var migrated = Open(path);
        var old = await migrated.GetDeviceAsync("t1", "d1");
        await migrated.UpsertDeviceAsync(old! with { Links = ["d2"] });

        Assert.Equal(device, old);
        Assert.Empty(old!.Links);
        Assert.Equal(5, Scalar(path, "SELECT version FROM schema_version;"));
        Assert.Equal(["d2"], (await migrated.ListDevicesAsync("t1", new DeviceQuery())).Items.Single().Links);
    }

    [Fact]
    public void A_file_from_a_newer_schema_version_is_refused()
    {
        var path = _directory.File("store.db");
        Open(path).Dispose();
        Scalar(path, "UPDATE schema_version SET version = 99; SELECT 0;");

        var refused = Assert.Throws<StoreUnavailableException>(() => Open(path));

        Assert.Contains("schema version 99", refused.Message);
        Assert.Contains(path, refused.Message);
    }

    [Fact]
    public void A_directory_that_cannot_be_created_makes_the_store_unavailable()
    {
        // A regular file where a directory should be: fails even for root, unlike chmod.
        var blocker = _directory.File("not-a-directory");
        File.WriteAllText(blocker, "I am a file");

        var refused = Assert.Throws<StoreUnavailableException>(() => Open(Path.Combine(blocker, "db", "store.db")));

        Assert.Contains("could not create its directory", refused.Message);
        Assert.Contains(blocker, refused.Message);
    }

    [Fact]
    public void A_corrupted_database_file_makes_the_store_unavailable()
    {
        var path = _directory.File("store.db");
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(path, garbage);

        var refused = Assert.Throws<StoreUnavailableException>(() => Open(path));

        Assert.Contains("not a valid SQLite database", refused.Message);
        Assert.Contains(path, refused.Message);
        Assert.IsType<SqliteException>(refused.InnerException);
    }

    [Fact]
    public void A_database_path_that_is_a_directory_makes_the_store_unavailable()
    {
        var path = Directory.CreateDirectory(_directory.File("store.db")).FullName;

        var refused = Assert.Throws<StoreUnavailableException>(() => Open(path));

        Assert.Contains("cannot be opened", refused.Message);
    }

    [Fact]
    public async Task A_database_truncated_under_a_running_store_makes_reads_unavailable()
    {
        var path = _directory.File("store.db");
        using var store = Open(path);
        for (var i = 0; i < 200; i++)
        {
            await store.UpsertDeviceAsync(new DeviceRecord("t1", $"device-{i:d3}", "Active", new string('f', 200), null, null, true, DateTimeOffset.UnixEpoch));
        }

        // Checkpoint everything into the main file, then destroy its pages behind the store's back.
        Scalar(path, "PRAGMA wal_checkpoint(TRUNCATE);");
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = 4096;
            file.Write(new byte[file.Length - 4096].Select(_ => (byte)0xA5).ToArray());
        }

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(
            () => store.ListDevicesAsync("t1", new DeviceQuery { PageSize = 500 }));
        Assert.Contains(path, refused.Message);
    }

    [Fact]
    public async Task The_audit_table_refuses_updates_and_deletes()
    {
        var path = _directory.File("store.db");
        using var store = Open(path);
        await store.AppendAuditAsync("t1", Event("d1"));

        var update = Assert.Throws<SqliteException>(() => Scalar(path, "UPDATE audit SET outcome = 'x'; SELECT 0;"));
        var delete = Assert.Throws<SqliteException>(() => Scalar(path, "DELETE FROM audit; SELECT 0;"));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
    }

    [Fact]
    public async Task Rewriting_an_entry_together_with_its_hash_breaks_the_chain_at_the_next_entry()
    {
        var path = _directory.File("store.db");
        using var store = Open(path);
        for (var i = 0; i < 4; i++)
        {
            await store.AppendAuditAsync("t1", Event($"d{i}"));
        }

        var original = (await store.ReadAuditAsync("t1", 2, 1))[0];
        var forged = original.Event with { Outcome = "refused:forged" };
        var forgedHash = AuditChain.ComputeHash("t1", 2, original.PreviousHash, forged);
        Scalar(path, $"""
            DROP TRIGGER audit_no_update;
            UPDATE audit SET outcome = 'refused:forged', hash = '{forgedHash}' WHERE tenant_id = 't1' AND sequence = 2;
            SELECT 0;
            """);

        var verification = await store.VerifyAuditChainAsync("t1");

        Assert.Equal(3, verification.FirstBrokenSequence);
        Assert.Equal(AuditChainFault.PreviousHashMismatch, verification.Fault);
    }

    [Fact]
    public async Task A_deleted_audit_entry_breaks_the_chain_as_a_gap()
    {
        var path = _directory.File("store.db");
        using var store = Open(path);
        for (var i = 0; i < 4; i++)
        {
            await store.AppendAuditAsync("t1", Event($"d{i}"));
        }

        Scalar(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE sequence = 2; SELECT 0;");
        var verification = await store.VerifyAuditChainAsync("t1");

        Assert.Equal(2, verification.FirstBrokenSequence);
        Assert.Equal(AuditChainFault.SequenceGap, verification.Fault);
    }

    [Fact]
    public async Task Two_stores_on_one_file_append_one_gapless_chain()
    {
        // Two stores have two writers, so their appends really race for each sequence number and the losers
        // must retry on the primary key conflict: what two processes on one file would do.
        var path = _directory.File("store.db");
        using var first = Open(path);
        using var second = Open(path);

        var appends = Enumerable.Range(0, 40).Select(i => Task.Run(
            () => (i % 2 == 0 ? first : second).AppendAuditAsync("t1", Event($"device-{i}"))));
        var appended = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), appended.Select(e => e.Sequence).Order());
        Assert.Equal(new AuditChainVerification(true, 40, null, AuditChainFault.None, null),
            await first.VerifyAuditChainAsync("t1"));
    }

    [Fact]
    public async Task A_disposed_store_refuses_calls()
    {
        var store = Open(_directory.File("store.db"));
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ReadAsync("k", "k"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.WriteAsync("k", "k", "x"u8.ToArray(), null));
    }
}
