using IoTIdentity.Provisioning.Storage.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Tests.Sqlite;

/// <summary>Several writes in one SQLite transaction: the rows of the single writes, all committed or none.</summary>
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
}
