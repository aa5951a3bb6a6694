using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Provisioning.Storage.Sqlite;

namespace IoTIdentity.Simulator.StorageScale;

/// <summary>
/// The service's SQLite file in the data directory, filled 10,000 devices per transaction
/// (<see cref="SqliteProvisioningStore.WriteBatchAsync"/>) and kept, so a later run goes on from it.
/// </summary>
/// <param name="dataDirectory">The service's data directory.</param>
/// <param name="cacheMegabytes">The service's <c>Storage:Sqlite:CacheMegabytes</c>, or null for its default.</param>
internal sealed class SqliteScaleTarget(string dataDirectory, int? cacheMegabytes) : StorageScaleTarget
{
    /// <summary>Devices written per transaction: one commit per batch instead of five per device.</summary>
    private const int FillBatch = 10_000;

    /// <summary>The filling store's page cache: about the size of the indexes at 1,000,000 devices, so a batch's random
    /// inserts find their pages in memory and write each once (with SQLite's 2 MiB they spill and re-read per row).</summary>
    private const int FillCacheMegabytes = 1024;

    private string DatabasePath => SqliteStorageConfiguration.Options(Configuration(), dataDirectory).DatabasePath;

    /// <inheritdoc/>
    public override string Description =>
        $"{DatabasePath} (page cache {(cacheMegabytes is { } mb ? $"{mb} MiB" : "the service's default")})";

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string?> ServiceSettings => cacheMegabytes is { } megabytes
        ? new Dictionary<string, string?> { [SqliteStorageConfiguration.CacheMegabytesKey] = megabytes.ToString(System.Globalization.CultureInfo.InvariantCulture) }
        : new Dictionary<string, string?>();

    /// <inheritdoc/>
    public override string StoredBytesMeaning => "disk (database, WAL and shared-memory files)";

    /// <inheritdoc/>
    public override async Task FillAsync(int from, int to, byte[] state, CancellationToken cancellationToken)
    {
        var options = SqliteStorageConfiguration.Options(Configuration(), dataDirectory);
        options.CacheMegabytes = FillCacheMegabytes;
        await using var store = SqliteProvisioningStore.Open(options);
        var now = DateTimeOffset.UtcNow;
        // whole batches committed at once, in index order (CountAsync relies on both)
        for (var start = from; start < to; start += FillBatch)
        {
            var end = Math.Min(to, start + FillBatch);
            await store.WriteBatchAsync(batch =>
            {
                for (var i = start; i < end; i++)
                {
                    var device = FilledDevice.Of(i, state, now);
                    batch.WriteState(FilledDevice.StateKind, device.DeviceId, state, null);
                    batch.TryClaim(FilledDevice.EkScope, device.DeviceId, device.DeviceId);
                    batch.AppendAudit(FilledDevice.Tenant, device.Register);
                    batch.AppendAudit(FilledDevice.Tenant, device.Issue);
                    batch.UpsertDevice(device.Record);
                }
            }, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public override Task<IProvisioningStore> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IProvisioningStore>(SqliteProvisioningStore.Open(SqliteStorageConfiguration.Options(Configuration(), dataDirectory)));

    /// <inheritdoc/>
    public override long StoredBytes() =>
        new[] { "", "-wal", "-shm" }.Select(s => new FileInfo(DatabasePath + s)).Where(f => f.Exists).Sum(f => f.Length);
}
