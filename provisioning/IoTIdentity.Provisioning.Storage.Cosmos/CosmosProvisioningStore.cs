using System.Net;
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

    private readonly CosmosClient _client;
    private readonly CosmosStoreOptions _options;
    private readonly Container _state;
    private readonly Container _claims;
    private readonly Container _devices;
    private readonly Container _audit;

    private CosmosProvisioningStore(CosmosClient client, CosmosStoreOptions options)
    {
        _client = client;
        _options = options;
        var database = client.GetDatabase(options.Database);
        _state = database.GetContainer(CosmosContainerNames.State);
        _claims = database.GetContainer(CosmosContainerNames.Claims);
        _devices = database.GetContainer(CosmosContainerNames.Devices);
        _audit = database.GetContainer(CosmosContainerNames.Audit);
    }

    /// <summary>The account endpoint this store talks to.</summary>
    public Uri Endpoint => _options.Endpoint;

    /// <summary>The database holding the containers.</summary>
    public string Database => _options.Database;

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
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint, "options.Endpoint");
        if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException("The endpoint must be an absolute http(s) URI.", "options.Endpoint");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.Key, "options.Key");
        StoreLimits.CheckId(options.Database, "options.Database");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, "options.MaxAttempts");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxAttempts, 20, "options.MaxAttempts");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryDelay, TimeSpan.Zero, "options.RetryDelay");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RequestTimeout, TimeSpan.FromSeconds(1), "options.RequestTimeout");

        var client = CreateClient(options);
        var store = new CosmosProvisioningStore(client, options);
        try
        {
            await store.CreateSchemaAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Releases the client and its connections.</summary>
    public void Dispose() => _client.Dispose();

    private static CosmosClient CreateClient(CosmosStoreOptions options)
    {
        var clientOptions = new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            // Talk to the configured endpoint only: the emulator and test servers advertise addresses that need
            // not be reachable from here.
            LimitToEndpoint = true,
            RequestTimeout = options.RequestTimeout,
            MaxRetryAttemptsOnRateLimitedRequests = 3,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(10),
        };
        foreach (var handler in options.Handlers)
        {
            clientOptions.CustomHandlers.Add(handler);
        }

        clientOptions.CustomHandlers.Add(new CrossPartitionQueryHeaderHandler());
        if (options.AnswerQueryPlansLocally)
        {
            clientOptions.CustomHandlers.Add(new SinglePartitionQueryPlanHandler());
        }

        if (options.AcceptAnyServerCertificate)
        {
            clientOptions.HttpClientFactory = () => new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            });
        }

        return new CosmosClient(options.Endpoint.AbsoluteUri, options.Key, clientOptions);
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        try
        {
            var database = (await _client.CreateDatabaseIfNotExistsAsync(_options.Database, cancellationToken: cancellationToken)
                .ConfigureAwait(false)).Database;
            foreach (var name in CosmosContainerNames.All)
            {
                await database.CreateContainerIfNotExistsAsync(
                    new ContainerProperties(name, CosmosContainerNames.PartitionKeyPath), cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is CosmosException or HttpRequestException or TimeoutException
            && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException(
                $"Cosmos DB account '{_options.Endpoint}' could not create database '{_options.Database}' and its " +
                $"containers: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// Sends one request, retrying throttled and transient outcomes, and returns the first other response (the
    /// caller owns and disposes it).
    /// </summary>
    private async Task<ResponseMessage> SendAsync(
        Container container, string operation, Func<Task<ResponseMessage>> send, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var delay = _options.RetryDelay;
        string? lastCause = null;
        Exception? lastError = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                var response = await send().ConfigureAwait(false);
                if (!IsTransient(response.StatusCode))
                {
                    return response;
                }

                lastCause = $"{(int)response.StatusCode} {response.StatusCode}: {response.ErrorMessage}";
                retryAfter = RetryAfter(response.Headers);
                response.Dispose();
            }
            catch (CosmosException e) when (IsTransient(e.StatusCode))
            {
                (lastCause, lastError, retryAfter) = (Describe(e), e, e.RetryAfter);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException
                && !cancellationToken.IsCancellationRequested)
            {
                (lastCause, lastError) = (Describe(e), e);
            }
            catch (CosmosException e)
            {
                // Not transient (401, 400 …): nothing backend-specific escapes the store.
                throw new StoreUnavailableException($"{Where(container, operation)} failed: {Describe(e)}", e);
            }

            if (attempt < _options.MaxAttempts)
            {
                var wait = retryAfter is { } after && after > TimeSpan.Zero
                    ? after
                    : delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Max(1, delay.TotalMilliseconds)));
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }

        var message = $"{Where(container, operation)} gave up after {_options.MaxAttempts} attempts: {lastCause}";
        throw lastError is null ? new StoreUnavailableException(message) : new StoreUnavailableException(message, lastError);
    }

    /// <summary>The server's <c>x-ms-retry-after-ms</c>, if it named one.</summary>
    private static TimeSpan? RetryAfter(Headers headers) =>
        long.TryParse(headers["x-ms-retry-after-ms"], System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Min(ms, 60_000))
            : null;

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.ServiceUnavailable
            or (HttpStatusCode)449;

    /// <summary>The fault for a response no caller expected (401, 400, 500 …).</summary>
    private StoreUnavailableException Unexpected(Container container, string operation, ResponseMessage response) =>
        new($"{Where(container, operation)} failed: {(int)response.StatusCode} {response.StatusCode}: {response.ErrorMessage}");

    private string Where(Container container, string operation) =>
        $"Cosmos DB account '{_options.Endpoint}', container '{_options.Database}/{container.Id}', operation '{operation}'";

    private static string Describe(Exception e) => e switch
    {
        CosmosException c => $"{(int)c.StatusCode} {c.StatusCode}: {c.Message}",
        _ => e.Message,
    };

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
