using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>
/// The clustered <see cref="IProvisioningStore"/>: Azure Cosmos DB (or its emulator, or
/// <c>@vercel/cosmosdb-server</c> in tests), laid out as docs/storage.md prescribes so that every operation names
/// exactly one partition.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> One database, four containers partitioned on <c>/pk</c>: <c>state</c> (pk = kind ␟ key,
/// id <c>"state"</c>), <c>claims</c> (pk = scope ␟ value, id <c>"claim"</c>), <c>devices</c> (pk = tenant, id =
/// escaped device id) and <c>audit</c> (pk = tenant, id = 20-digit sequence). Point reads and writes carry the
/// partition key; the two queries (device listing, audit range and head) carry it in
/// <see cref="QueryRequestOptions.PartitionKey"/> and filter on <c>c.pk</c> too. No stored procedures, no
/// transactional batch, no cross-partition query.</para>
/// <para><b>Conditional writes.</b> Create is <c>CreateItem</c> (409 → <see cref="StoreConcurrencyException"/>);
/// replace and delete send <c>If-Match</c> with the Cosmos <c>_etag</c> (412, or 404 where an ETag was expected →
/// <see cref="StoreConcurrencyException"/>).</para>
/// <para><b>Faults.</b> 429 (after the SDK's own retries), 408, 449, 503 and transport errors are retried up to
/// <see cref="CosmosStoreOptions.MaxAttempts"/> times, honouring the server's retry-after, then surface as
/// <see cref="StoreUnavailableException"/> naming the account, container and operation, as does any other
/// unexpected status. A retried write may have happened the first time: callers re-read before retrying.</para>
/// <para>Uses the SDK's stream APIs, so expected statuses are results rather than exceptions, and serializes with
/// System.Text.Json.</para>
/// </remarks>
public sealed partial class CosmosProvisioningStore : IProvisioningStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CosmosAccount _account;
    private readonly Container _state;
    private readonly Container _claims;
    private readonly Container _devices;
    private readonly Container _audit;

    private CosmosProvisioningStore(CosmosAccount account)
    {
        _account = account;
        _state = account.Container(CosmosContainerNames.State);
        _claims = account.Container(CosmosContainerNames.Claims);
        _devices = account.Container(CosmosContainerNames.Devices);
        _audit = account.Container(CosmosContainerNames.Audit);
    }

    /// <summary>The account endpoint this store talks to.</summary>
    public Uri Endpoint => _account.Options.Endpoint;

    /// <summary>The database holding the containers.</summary>
    public string Database => _account.Options.Database;

    /// <summary>
    /// Connects to the account in gateway mode and creates the database and its four containers if they are absent.
    /// </summary>
    /// <param name="options">The account and settings.</param>
    /// <param name="cancellationToken">Cancels the set-up.</param>
    /// <returns>The store; dispose it to release the client.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="StoreUnavailableException">The account cannot be reached, refuses the key, or the database
    /// or a container cannot be created.</exception>
    public static async Task<CosmosProvisioningStore> OpenAsync(
        CosmosStoreOptions options, CancellationToken cancellationToken = default)
    {
        var account = CosmosAccount.Connect(options);
        try
        {
            await account.CreateContainersAsync(CosmosContainerNames.All, CosmosContainerNames.PartitionKeyPath, cancellationToken)
                .ConfigureAwait(false);
            return new CosmosProvisioningStore(account);
        }
        catch
        {
            account.Dispose();
            throw;
        }
    }

    /// <summary>Releases the client and its connections.</summary>
    public void Dispose() => _account.Dispose();

    private Task<ResponseMessage> SendAsync(
        Container container, string operation, Func<Task<ResponseMessage>> send, CancellationToken cancellationToken) =>
        _account.SendAsync(container, operation, send, cancellationToken);

    private StoreUnavailableException Unexpected(Container container, string operation, ResponseMessage response) =>
        _account.Unexpected(container, operation, response);

    private string Where(Container container, string operation) => _account.Where(container, operation);

    private static MemoryStream Serialize<T>(T item) => new(JsonSerializer.SerializeToUtf8Bytes(item, Json));

    private async Task<T> DeserializeAsync<T>(
        Container container, string operation, ResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(response.Content, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            throw new StoreUnavailableException(
                $"{Where(container, operation)} read an item it cannot parse (altered outside the service?): {e.Message}", e);
        }
    }

    /// <summary>Runs a query in one partition and collects up to <paramref name="limit"/> results.</summary>
    private async Task<List<T>> QueryAsync<T>(
        Container container, string operation, QueryDefinition query, string partitionKey, int limit,
        CancellationToken cancellationToken)
    {
        var results = new List<T>(Math.Min(limit, 64));
        using var iterator = container.GetItemQueryStreamIterator(query, continuationToken: null, new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(partitionKey),
            MaxItemCount = limit,
            // Off, a single-partition query without aggregates goes straight to its partition ("passthrough"),
            // after a query plan only if it has ORDER BY; on, TOP queries fetch a plan too.
            EnableOptimisticDirectExecution = false,
        });
        while (iterator.HasMoreResults && results.Count < limit)
        {
            using var response = await SendAsync(container, operation, () => iterator.ReadNextAsync(cancellationToken),
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Unexpected(container, operation, response);
            }

            var page = await DeserializeAsync<QueryPage<T>>(container, operation, response, cancellationToken)
                .ConfigureAwait(false);
            results.AddRange(page.Documents.Take(limit - results.Count));
        }

        return results;
    }
}
