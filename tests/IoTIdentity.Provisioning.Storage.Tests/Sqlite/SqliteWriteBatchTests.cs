using IoTIdentity.Provisioning.Storage.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Tests.Sqlite;

/// <summary>Several writes in one SQLite transaction (a batch, a device change): the rows of the single writes, all committed or none.</summary>
public sealed class SqliteWriteBatchTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SqliteProvisioningStore Open(string name) =>
        SqliteProvisioningStore.Open(new SqliteStoreOptions { DatabasePath = _directory.File(name) });

    private static AuditEvent Event(string subject) => new()
    {
        Action = "device.register", Subject = subject, Outcome = "ok", Actor = "device", At = At,
        EvidenceDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(subject))),
    };

    private static DeviceRecord Device(string id) =>
        new("t1", id, "Active", "fw-1.0", "serial-" + id, At.AddDays(30), true, At, GroupId: "g1", Tags: ["a", "b"], LastSeenAt: At);

    [Fact]
    public async Task A_batch_writes_the_rows_the_single_writes_write_and_chains_its_audit_entries()
    {
        using var single = Open("single.db");
        using var batched = Open("batched.db");
        foreach (var id in new[] { "d1", "d2" })
        {
            await single.WriteAsync("device.device", id, "state"u8.ToArray(), null);
            await single.TryClaimAsync("ek", id, id);
            await single.AppendAuditAsync("t1", Event(id));
            await single.UpsertDeviceAsync(Device(id));
        }

        var claims = new List<bool>();
        await batched.WriteBatchAsync(batch =>
        {
            foreach (var id in new[] { "d1", "d2" })
            {
                batch.WriteState("device.device", id, "state"u8.ToArray(), null);
                claims.Add(batch.TryClaim("ek", id, id));
                batch.AppendAudit("t1", Event(id));
                batch.UpsertDevice(Device(id));
            }

            claims.Add(batch.TryClaim("ek", "d1", "someone-else"));
        });

        Assert.Equal([true, true, false], claims);
        foreach (var id in new[] { "d1", "d2" })
        {
            Assert.Equal((await single.ReadAsync("device.device", id))!.Data, (await batched.ReadAsync("device.device", id))!.Data);
            Assert.Equal(await single.GetClaimOwnerAsync("ek", id), await batched.GetClaimOwnerAsync("ek", id));
            Assert.Equal(await single.GetDeviceAsync("t1", id), await batched.GetDeviceAsync("t1", id));
        }

        var expected = await single.ReadAuditAsync("t1", 1, 10);
        var actual = await batched.ReadAuditAsync("t1", 1, 10);
        Assert.Equal(expected.Select(e => (e.Sequence, e.Hash)), actual.Select(e => (e.Sequence, e.Hash)));
        Assert.True((await batched.VerifyAuditChainAsync("t1")).IsValid);
    }

    [Fact]
    public async Task A_batch_whose_callback_fails_commits_none_of_its_writes_and_the_store_goes_on_writing()
    {
        using var store = Open("store.db");
        await store.AppendAuditAsync("t1", Event("before"));

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.WriteBatchAsync(batch =>
        {
            batch.WriteState("device.device", "d1", "state"u8.ToArray(), null);
            batch.AppendAudit("t1", Event("d1"));
            batch.UpsertDevice(Device("d1"));
            batch.WriteState("device.device", "d1", "again"u8.ToArray(), null); // the second create of one document
        }));

        Assert.Contains("already exists", error.Message);
        Assert.Null(await store.ReadAsync("device.device", "d1"));
        Assert.Null(await store.GetDeviceAsync("t1", "d1"));
        Assert.Single(await store.ReadAuditAsync("t1", 1, 10));
        Assert.Equal(2, (await store.AppendAuditAsync("t1", Event("after"))).Sequence);
    }

    [Fact]
    public async Task A_batch_with_an_invalid_id_is_refused_with_the_single_writes_error_and_writes_nothing()
    {
        using var store = Open("store.db");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteBatchAsync(batch =>
        {
            batch.TryClaim("ek", "d1", "d1");
            batch.UpsertDevice(Device(""));
        }));

        Assert.Contains("DeviceId", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await store.GetClaimOwnerAsync("ek", "d1"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.WriteBatchAsync(null!));
    }

    private static DeviceChange Change(string id, string data, string? etag, string serial) =>
        new("device.device", id, System.Text.Encoding.UTF8.GetBytes(data), etag)
        {
            Claim = new StoreClaim("serial", serial, id), Audit = ("t1", Event(id)), Inventory = Device(id) with { CertificateSerial = serial },
        };

    [Fact]
    public async Task A_device_change_is_one_write_of_one_commit()
    {
        using var store = Open("store.db");
        var (commits, writes) = (store.GroupCommit.Commits, store.GroupCommit.CommittedWrites);

        var written = await store.WriteDeviceChangeAsync(Change("d1", "state", null, "s1"));

        Assert.True(written.Claimed);
        Assert.Equal((1, 1), (store.GroupCommit.Commits - commits, store.GroupCommit.CommittedWrites - writes));
        Assert.Equal("d1", await store.GetClaimOwnerAsync("serial", "s1"));
        Assert.Equal("s1", (await store.GetDeviceAsync("t1", "d1"))!.CertificateSerial);
        Assert.Equal(written.Audit!.Hash, Assert.Single(await store.ReadAuditAsync("t1", 1, 10)).Hash);
    }

    [Fact]
    public async Task A_device_change_that_lost_its_ETag_race_leaves_its_claim_unwritten_too()
    {
        using var store = Open("store.db");
        var before = await store.WriteDeviceChangeAsync(Change("d1", "before", null, "s1"));

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => store.WriteDeviceChangeAsync(Change("d1", "after", "stale", "s2")));

        Assert.Null(await store.GetClaimOwnerAsync("serial", "s2"));
        Assert.Equal(before.ETag, (await store.ReadAsync("device.device", "d1"))!.ETag);
        Assert.Single(await store.ReadAuditAsync("t1", 1, 10));
    }

    [Fact]
    public async Task A_device_change_whose_COMMIT_fails_keeps_none_of_its_parts_and_the_next_one_is_chained_as_if_it_never_was()
    {
        using var store = Open("store.db");
        var before = await store.WriteDeviceChangeAsync(Change("d1", "before", null, "s1"));
        var faults = 0;
        store.GroupCommit.BeforeCommit = _ =>
        {
            // where SQLite's COMMIT would report an I/O error writing the log, with the transaction still open
            if (Interlocked.Increment(ref faults) == 1) throw new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10, 10 | (4 << 8));
        };

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.WriteDeviceChangeAsync(Change("d1", "lost", before.ETag, "s2")));

        Assert.Null(await store.GetClaimOwnerAsync("serial", "s2"));
        var stored = await store.ReadAsync("device.device", "d1");
        Assert.Equal((before.ETag, "before"), (stored!.ETag, System.Text.Encoding.UTF8.GetString(stored.Data)));
        Assert.Equal("s1", (await store.GetDeviceAsync("t1", "d1"))!.CertificateSerial);
        Assert.Single(await store.ReadAuditAsync("t1", 1, 10));
        var next = await store.WriteDeviceChangeAsync(Change("d1", "next", before.ETag, "s2"));
        Assert.Equal(2, next.Audit!.Sequence);
        Assert.True((await store.VerifyAuditChainAsync("t1")).IsValid);
    }
}
