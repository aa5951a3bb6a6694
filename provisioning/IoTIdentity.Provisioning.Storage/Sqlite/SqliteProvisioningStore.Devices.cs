using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <content>The device inventory: the <c>devices</c> table, keyed (tenant_id, device_id); times as UTC ticks, tags and
/// links as JSON arrays of strings.</content>
public sealed partial class SqliteProvisioningStore
{
    private const string DeviceColumns =
        "tenant_id, device_id, state, firmware, certificate_serial, certificate_not_after_ticks, compliant, updated_ticks, " +
        "group_id, tags, last_seen_ticks, connected, links";

    /// <inheritdoc/>
    public async Task UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckDevice(device);
        await WithWriterAsync("save a device", session => session.Command(
            $"""
            INSERT INTO devices ({DeviceColumns}, indexed)
            VALUES ($tenant, $device, $state, $firmware, $serial, $notAfter, $compliant, $updated,
                    $group, $tags, $lastSeen, $connected, $links, 1)
            ON CONFLICT (tenant_id, device_id) DO UPDATE SET
                state = excluded.state, firmware = excluded.firmware,
                certificate_serial = excluded.certificate_serial,
                certificate_not_after_ticks = excluded.certificate_not_after_ticks,
                compliant = excluded.compliant, updated_ticks = excluded.updated_ticks,
                group_id = excluded.group_id, tags = excluded.tags,
                last_seen_ticks = excluded.last_seen_ticks, connected = excluded.connected, links = excluded.links, indexed = 1;
            """,
            ("$tenant", device.TenantId), ("$device", device.DeviceId), ("$state", device.State),
            ("$firmware", device.Firmware), ("$serial", device.CertificateSerial),
            ("$notAfter", device.CertificateNotAfter?.UtcTicks), ("$compliant", device.Compliant ? 1 : 0),
            ("$updated", device.UpdatedAt.UtcTicks), ("$group", device.GroupId),
            ("$tags", JsonSerializer.Serialize(device.Tags)), ("$lastSeen", device.LastSeenAt?.UtcTicks),
            ("$connected", device.Connected ? 1 : 0), ("$links", JsonSerializer.Serialize(device.Links))).ExecuteNonQuery(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<DeviceRecord?> GetDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckId(deviceId);
        return await WithReaderAsync("read a device", session =>
        {
            using var reader = session.Command(
                $"SELECT {DeviceColumns} FROM devices WHERE tenant_id = $tenant AND device_id = $device;",
                ("$tenant", tenantId), ("$device", deviceId)).ExecuteReader();
            return reader.Read() ? ReadDevice(reader) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckId(deviceId);
        return await WithWriterAsync("remove a device", session => session.Command(
            "DELETE FROM devices WHERE tenant_id = $tenant AND device_id = $device;",
            ("$tenant", tenantId), ("$device", deviceId)).ExecuteNonQuery() == 1, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<DevicePage> ListDevicesAsync(string tenantId, DeviceQuery query, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckQuery(query);
        var after = query.ContinuationToken is { } token ? DeviceContinuationToken.Decode(token, tenantId) : null;

        // One statement text per combination of filters, so each is prepared once and can use its index.
        var sql = $"SELECT {DeviceColumns} FROM devices WHERE tenant_id = $tenant"
            + (query.State is null ? "" : " AND state = $state")
            + (query.Compliant is null ? "" : " AND compliant = $compliant")
            + (query.GroupId is null ? "" : " AND group_id = $group")
            + (query.Tag is null ? "" : " AND EXISTS (SELECT 1 FROM json_each(devices.tags) WHERE json_each.value = $tag)")
            + (query.DeviceIdPrefix is null ? "" : " AND substr(device_id, 1, length($prefix)) = $prefix")
            + (after is null ? "" : " AND device_id > $after")
            + " ORDER BY device_id LIMIT $limit;";
        return await WithReaderAsync("list devices", session =>
        {
            // Read one more than a page: if it exists, there is a next page.
            using var reader = session.Command(sql,
                ("$tenant", tenantId), ("$state", query.State), ("$compliant", query.Compliant is true ? 1 : 0),
                ("$after", after), ("$limit", query.PageSize + 1),
                ("$group", query.GroupId), ("$tag", query.Tag), ("$prefix", query.DeviceIdPrefix)).ExecuteReader();
            var items = new List<DeviceRecord>(query.PageSize);
            var more = false;
            while (reader.Read())
            {
                if (items.Count == query.PageSize)
                {
                    more = true;
                    break;
                }

                items.Add(ReadDevice(reader));
            }

            return new DevicePage(items, more ? DeviceContinuationToken.Encode(tenantId, items[^1].DeviceId) : null);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListDevicesToReindexAsync(string tenantId, int maxCount, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckPageSize(maxCount);
        return await WithReaderAsync("list devices to re-index", session =>
        {
            using var reader = session.Command(
                "SELECT device_id FROM devices WHERE tenant_id = $tenant AND indexed = 0 ORDER BY device_id LIMIT $limit;",
                ("$tenant", tenantId), ("$limit", maxCount)).ExecuteReader();
            var ids = new List<string>();
            while (reader.Read()) ids.Add(reader.GetString(0));
            return (IReadOnlyList<string>)ids;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static DeviceRecord ReadDevice(SqliteDataReader reader) => new(
        TenantId: reader.GetString(0),
        DeviceId: reader.GetString(1),
        State: reader.GetString(2),
        Firmware: reader.IsDBNull(3) ? null : reader.GetString(3),
        CertificateSerial: reader.IsDBNull(4) ? null : reader.GetString(4),
        CertificateNotAfter: reader.IsDBNull(5) ? null : new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
        Compliant: reader.GetInt64(6) != 0,
        UpdatedAt: new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
        GroupId: reader.IsDBNull(8) ? null : reader.GetString(8),
        Tags: JsonSerializer.Deserialize<string[]>(reader.GetString(9)),
        LastSeenAt: reader.IsDBNull(10) ? null : new DateTimeOffset(reader.GetInt64(10), TimeSpan.Zero),
        Connected: reader.GetInt64(11) != 0,
        Links: JsonSerializer.Deserialize<string[]>(reader.GetString(12)));
}
