namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <content>State documents: the <c>grain_state</c> table, one row per (kind, key).</content>
public sealed partial class SqliteProvisioningStore
{
    /// <inheritdoc/>
    public async Task<StoredState?> ReadAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(kind);
        StoreLimits.CheckId(key);
        return await WithReaderAsync("read state", session =>
        {
            using var reader = session.Command(
                "SELECT data, etag FROM grain_state WHERE kind = $kind AND key = $key;",
                ("$kind", kind), ("$key", key)).ExecuteReader();
            return reader.Read() ? new StoredState((byte[])reader.GetValue(0), reader.GetString(1)) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<string> WriteAsync(
        string kind, string key, ReadOnlyMemory<byte> data, string? expectedETag,
        CancellationToken cancellationToken = default) =>
        WithBatchAsync("write state", batch => batch.WriteState(kind, key, data, expectedETag), cancellationToken);

    /// <summary>
    /// Writes the change's claim, state, audit entry and inventory row in one savepoint of one transaction (one
    /// write of the group commit): all of them or, on a taken claim, a lost ETag race or a fault, none.
    /// </summary>
    public Task<DeviceChangeWritten> WriteDeviceChangeAsync(DeviceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return WithBatchAsync("write a device change", batch =>
        {
            // the claim first: taken, nothing else is written (and the claim wrote nothing)
            if (change.Claim is { } claim && !batch.TryClaim(claim.Scope, claim.Value, claim.Owner)) return DeviceChangeWritten.ClaimTaken;
            var etag = batch.WriteState(change.Kind, change.Key, change.Data, change.ExpectedETag);
            var entry = change.Audit is { } audit ? batch.AppendAudit(audit.TenantId, audit.Event) : null;
            if (change.Inventory is { } inventory) batch.UpsertDevice(inventory);
            return new DeviceChangeWritten(true, etag, entry);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string kind, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(kind);
        StoreLimits.CheckId(key);
        await WithWriterAsync("delete state", session =>
        {
            if (expectedETag is null)
            {
                var exists = session.Command(
                    "SELECT 1 FROM grain_state WHERE kind = $kind AND key = $key;",
                    ("$kind", kind), ("$key", key)).ExecuteScalar() is not null;
                return exists
                    ? throw new StoreConcurrencyException(kind, key,
                        $"State '{kind}/{key}' was expected not to exist, but it does.")
                    : true;
            }

            var deleted = session.Command(
                "DELETE FROM grain_state WHERE kind = $kind AND key = $key AND etag = $expected;",
                ("$kind", kind), ("$key", key), ("$expected", expectedETag)).ExecuteNonQuery();
            return deleted == 1 ? true : throw Conflict(session, kind, key, expectedETag);
        }, cancellationToken).ConfigureAwait(false);
    }

    internal static StoreConcurrencyException Conflict(SqliteSession session, string kind, string key, string expectedETag)
    {
        var exists = session.Command(
            "SELECT 1 FROM grain_state WHERE kind = $kind AND key = $key;",
            ("$kind", kind), ("$key", key)).ExecuteScalar() is not null;
        return new StoreConcurrencyException(kind, key, exists
            ? $"State '{kind}/{key}' no longer carries ETag '{expectedETag}': it was written meanwhile."
            : $"State '{kind}/{key}' was expected with ETag '{expectedETag}', but it does not exist.");
    }
}
