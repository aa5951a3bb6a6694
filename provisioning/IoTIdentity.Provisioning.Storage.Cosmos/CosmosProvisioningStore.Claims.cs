using System.Net;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

public sealed partial class CosmosProvisioningStore
{
    private const int MaxClaimAttempts = 64;

    /// <inheritdoc/>
    public async Task<bool> TryClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        StoreLimits.CheckId(owner);
        var partition = CosmosIds.Composite(scope, value);
        var pk = new PartitionKey(partition);
        var item = new ClaimItem(CosmosIds.ClaimId, partition, owner);

        // Create-if-absent; on a conflict read who holds it. If it was released in between, try again.
        for (var attempt = 1; attempt <= MaxClaimAttempts; attempt++)
        {
            using (var created = await SendAsync(_claims, "claim a value",
                () => _claims.CreateItemStreamAsync(Serialize(item), pk, NoContent(), cancellationToken),
                cancellationToken).ConfigureAwait(false))
            {
                if (created.StatusCode == HttpStatusCode.Created)
                {
                    return true;
                }

                if (created.StatusCode != HttpStatusCode.Conflict)
                {
                    throw Unexpected(_claims, "claim a value", created);
                }
            }

            if (await ReadClaimAsync(pk, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                return string.Equals(holder.Item.Owner, owner, StringComparison.Ordinal);
            }
        }

        throw new StoreUnavailableException(
            $"{Where(_claims, "claim a value")} could not claim '{scope}/{value}': it was claimed and released " +
            $"{MaxClaimAttempts} times in a row by others.");
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseClaimAsync(string scope, string value, string owner, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        StoreLimits.CheckId(owner);
        var pk = new PartitionKey(CosmosIds.Composite(scope, value));
        for (var attempt = 1; attempt <= MaxClaimAttempts; attempt++)
        {
            if (await ReadClaimAsync(pk, cancellationToken).ConfigureAwait(false) is not { } holder
                || !string.Equals(holder.Item.Owner, owner, StringComparison.Ordinal))
            {
                return false;
            }

            using var deleted = await SendAsync(_claims, "release a claim",
                () => _claims.DeleteItemStreamAsync(CosmosIds.ClaimId, pk, NoContent(holder.ETag), cancellationToken),
                cancellationToken).ConfigureAwait(false);
            switch (deleted.StatusCode)
            {
                case HttpStatusCode.NoContent or HttpStatusCode.OK:
                    return true;
                case HttpStatusCode.NotFound:
                    return false;
                case HttpStatusCode.PreconditionFailed:
                    continue; // replaced meanwhile (released and claimed again): read again
                default:
                    throw Unexpected(_claims, "release a claim", deleted);
            }
        }

        throw new StoreUnavailableException(
            $"{Where(_claims, "release a claim")} could not release '{scope}/{value}': it changed " +
            $"{MaxClaimAttempts} times in a row under the release.");
    }

    /// <inheritdoc/>
    public async Task<string?> GetClaimOwnerAsync(string scope, string value, CancellationToken cancellationToken = default)
    {
        StoreLimits.CheckId(scope);
        StoreLimits.CheckId(value);
        var holder = await ReadClaimAsync(new PartitionKey(CosmosIds.Composite(scope, value)), cancellationToken)
            .ConfigureAwait(false);
        return holder?.Item.Owner;
    }

    private async Task<(ClaimItem Item, string ETag)?> ReadClaimAsync(PartitionKey pk, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(_claims, "read a claim",
            () => _claims.ReadItemStreamAsync(CosmosIds.ClaimId, pk, cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => (await DeserializeAsync<ClaimItem>(_claims, "read a claim", response, cancellationToken)
                .ConfigureAwait(false), response.Headers.ETag),
            HttpStatusCode.NotFound => null,
            _ => throw Unexpected(_claims, "read a claim", response),
        };
    }
}
