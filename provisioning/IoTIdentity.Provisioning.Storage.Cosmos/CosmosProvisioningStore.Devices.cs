using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

public sealed partial class CosmosProvisioningStore
{
    /// <inheritdoc/>
    public async Task UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckDevice(device);
        var item = DeviceItem.From(device);
        using var response = await SendAsync(_devices, "save a device",
            () => _devices.UpsertItemStreamAsync(Serialize(item), new PartitionKey(device.TenantId), NoContent(),
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
        {
            throw Unexpected(_devices, "save a device", response);
        }
    }

    /// <inheritdoc/>
    public async Task<DeviceRecord?> GetDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckId(deviceId);
        using var response = await SendAsync(_devices, "read a device",
            () => _devices.ReadItemStreamAsync(CosmosIds.DeviceItemId(deviceId), new PartitionKey(tenantId),
                cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => (await DeserializeAsync<DeviceItem>(_devices, "read a device", response, cancellationToken)
                .ConfigureAwait(false)).ToRecord(),
            HttpStatusCode.NotFound => null,
            _ => throw Unexpected(_devices, "read a device", response),
        };
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveDeviceAsync(string tenantId, string deviceId, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckId(deviceId);
        using var response = await SendAsync(_devices, "remove a device",
            () => _devices.DeleteItemStreamAsync(CosmosIds.DeviceItemId(deviceId), new PartitionKey(tenantId),
                NoContent(), cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.NoContent or HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw Unexpected(_devices, "remove a device", response),
        };
    }

    /// <inheritdoc/>
    public async Task<DevicePage> ListDevicesAsync(string tenantId, DeviceQuery query, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckQuery(query);
        var after = query.ContinuationToken is { } token ? DeviceContinuationToken.Decode(token, tenantId) : null;

        // One partition (the tenant), ordered by device id; one more than a page tells whether another page exists.
        // The limit is a validated integer, so it is part of the text; everything else is a parameter.
        var limit = query.PageSize + 1;
        var sql = $"SELECT TOP {limit.ToString(CultureInfo.InvariantCulture)} * FROM c WHERE c.pk = @pk"
            + (after is null ? "" : " AND c.deviceId > @after")
            + (query.State is null ? "" : " AND c.state = @state")
            + (query.Compliant is null ? "" : " AND c.compliant = @compliant")
            + (query.GroupId is null ? "" : " AND c.groupId = @group")
            + (query.Tag is null ? "" : " AND ARRAY_CONTAINS(c.tags, @tag)")
            + (query.DeviceIdPrefix is null ? "" : " AND STARTSWITH(c.deviceId, @prefix)")
            + " ORDER BY c.deviceId";
        var definition = new QueryDefinition(sql).WithParameter("@pk", tenantId);
        if (after is not null)
        {
            definition = definition.WithParameter("@after", after);
        }

        if (query.State is not null)
        {
            definition = definition.WithParameter("@state", query.State);
        }

        if (query.Compliant is { } compliant)
        {
            definition = definition.WithParameter("@compliant", compliant);
        }

        foreach (var (name, value) in new[] { ("@group", query.GroupId), ("@tag", query.Tag), ("@prefix", query.DeviceIdPrefix) })
        {
            if (value is not null)
            {
                definition = definition.WithParameter(name, value);
            }
        }

        var found = await QueryAsync<DeviceItem>(_devices, "list devices", definition, tenantId, limit, cancellationToken)
            .ConfigureAwait(false);
        var items = found.Take(query.PageSize).Select(item => item.ToRecord()).ToList();
        return new DevicePage(items,
            found.Count > query.PageSize ? DeviceContinuationToken.Encode(tenantId, items[^1].DeviceId) : null);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListDevicesToReindexAsync(string tenantId, int maxCount, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckPageSize(maxCount);
        var sql = $"SELECT TOP {maxCount.ToString(CultureInfo.InvariantCulture)} c.deviceId FROM c WHERE c.pk = @pk"
            + " AND (NOT IS_DEFINED(c.indexed) OR c.indexed = false) ORDER BY c.deviceId";
        var found = await QueryAsync<DeviceIdItem>(_devices, "list devices to re-index",
            new QueryDefinition(sql).WithParameter("@pk", tenantId), tenantId, maxCount, cancellationToken).ConfigureAwait(false);
        return [.. found.Select(item => item.DeviceId)];
    }
}
