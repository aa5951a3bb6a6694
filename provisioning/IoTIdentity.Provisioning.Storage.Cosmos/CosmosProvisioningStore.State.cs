using System.Net;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

public sealed partial class CosmosProvisioningStore
{
    /// <inheritdoc/>
    public async Task<StoredState?> ReadAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(kind);
        StoreLimits.CheckId(key);
        var pk = new PartitionKey(CosmosIds.Composite(kind, key));
        using var response = await SendAsync(_state, "read state",
            () => _state.ReadItemStreamAsync(CosmosIds.StateId, pk, cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                var item = await DeserializeAsync<StateItem>(_state, "read state", response, cancellationToken)
                    .ConfigureAwait(false);
                try
                {
                    return new StoredState(Convert.FromBase64String(item.Data), response.Headers.ETag);
                }
                catch (FormatException e)
                {
                    throw new StoreUnavailableException(
                        $"{Where(_state, "read state")}: state '{kind}/{key}' is not base64 (altered outside the service?).", e);
                }
            case HttpStatusCode.NotFound:
                return null;
            default:
                throw Unexpected(_state, "read state", response);
        }
    }

    /// <inheritdoc/>
    public async Task<string> WriteAsync(
        string kind, string key, ReadOnlyMemory<byte> data, string? expectedETag,
        CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(kind);
        StoreLimits.CheckId(key);
        StoreLimits.CheckState(data);
        var partition = CosmosIds.Composite(kind, key);
        var pk = new PartitionKey(partition);
        var item = new StateItem(CosmosIds.StateId, partition, Convert.ToBase64String(data.Span));
        if (expectedETag is null)
        {
            using var created = await SendAsync(_state, "create state",
                () => _state.CreateItemStreamAsync(Serialize(item), pk, NoContent(), cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return created.StatusCode switch
            {
                HttpStatusCode.Created => created.Headers.ETag,
                HttpStatusCode.Conflict => throw new StoreConcurrencyException(kind, key,
                    $"State '{kind}/{key}' was to be created, but it already exists."),
                _ => throw Unexpected(_state, "create state", created),
            };
        }

        using var replaced = await SendAsync(_state, "replace state",
            () => _state.ReplaceItemStreamAsync(Serialize(item), CosmosIds.StateId, pk, NoContent(expectedETag),
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return replaced.StatusCode switch
        {
            HttpStatusCode.OK => replaced.Headers.ETag,
            HttpStatusCode.PreconditionFailed => throw new StoreConcurrencyException(kind, key,
                $"State '{kind}/{key}' no longer carries ETag '{expectedETag}': it was written meanwhile."),
            HttpStatusCode.NotFound => throw new StoreConcurrencyException(kind, key,
                $"State '{kind}/{key}' was expected with ETag '{expectedETag}', but it does not exist."),
            _ => throw Unexpected(_state, "replace state", replaced),
        };
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string kind, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(kind);
        StoreLimits.CheckId(key);
        if (expectedETag is null)
        {
            // "Must not exist": a point read decides.
            if (await ReadAsync(kind, key, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new StoreConcurrencyException(kind, key, $"State '{kind}/{key}' was expected not to exist, but it does.");
            }

            return;
        }

        var pk = new PartitionKey(CosmosIds.Composite(kind, key));
        using var response = await SendAsync(_state, "delete state",
            () => _state.DeleteItemStreamAsync(CosmosIds.StateId, pk, NoContent(expectedETag), cancellationToken),
            cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NoContent or HttpStatusCode.OK:
                return;
            case HttpStatusCode.PreconditionFailed:
                throw new StoreConcurrencyException(kind, key,
                    $"State '{kind}/{key}' no longer carries ETag '{expectedETag}': it was written meanwhile.");
            case HttpStatusCode.NotFound:
                throw new StoreConcurrencyException(kind, key,
                    $"State '{kind}/{key}' was expected with ETag '{expectedETag}', but it does not exist.");
            default:
                throw Unexpected(_state, "delete state", response);
        }
    }

    /// <summary>Write options that skip echoing the item back, optionally conditional on an ETag.</summary>
    private static ItemRequestOptions NoContent(string? ifMatch = null) =>
        new() { EnableContentResponseOnWrite = false, IfMatchEtag = ifMatch };
}
