using System.Net;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>
/// One connection to a Cosmos DB account and its database, with the request policy every Cosmos component of the
/// service shares (the <see cref="CosmosProvisioningStore"/> and the Orleans membership table): gateway mode,
/// only the configured endpoint, the emulator's certificate accepted only when
/// <see cref="CosmosStoreOptions.AcceptAnyServerCertificate"/> is set, and 429/408/449/503/transport faults retried
/// with the server's retry-after up to <see cref="CosmosStoreOptions.MaxAttempts"/> times.
/// </summary>
public sealed class CosmosAccount : IDisposable
{
    private readonly CosmosClient _client;

    private CosmosAccount(CosmosClient client, CosmosStoreOptions options)
    {
        _client = client;
        Options = options;
    }

    /// <summary>The account and settings.</summary>
    public CosmosStoreOptions Options { get; }

    /// <summary>
    /// Validates <paramref name="options"/> and creates the client (no request is sent yet).
    /// </summary>
    /// <param name="options">The account and settings.</param>
    /// <returns>The account; dispose it to release the client.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static CosmosAccount Connect(CosmosStoreOptions options)
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
        return new CosmosAccount(CreateClient(options), options);
    }

    /// <summary>Releases the client and its connections.</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>A container of the database (no request is sent).</summary>
    public Container Container(string name) => _client.GetDatabase(Options.Database).GetContainer(name);

    /// <summary>
    /// Creates the database and the named containers, each partitioned on <paramref name="partitionKeyPath"/>, if
    /// they are absent.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The account cannot be reached, refuses the key, or the database
    /// or a container cannot be created.</exception>
    public async Task CreateContainersAsync(
        IEnumerable<string> names, string partitionKeyPath, CancellationToken cancellationToken)
    {
        try
        {
            var database = (await _client.CreateDatabaseIfNotExistsAsync(Options.Database, cancellationToken: cancellationToken)
                .ConfigureAwait(false)).Database;
            foreach (var name in names)
            {
                await database.CreateContainerIfNotExistsAsync(
                    new ContainerProperties(name, partitionKeyPath), cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is CosmosException or HttpRequestException or TimeoutException
            && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException(
                $"Cosmos DB account '{Options.Endpoint}' could not create database '{Options.Database}' and its " +
                $"containers: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// Sends one request, retrying throttled and transient outcomes, and returns the first other response (the
    /// caller owns and disposes it). A retried write may have happened the first time: callers re-read.
    /// </summary>
    /// <param name="container">Where the request goes (for messages).</param>
    /// <param name="operation">What the request does, in words (for messages).</param>
    /// <param name="send">Sends the request once, with the SDK's stream API.</param>
    /// <param name="cancellationToken">Cancels the waits between attempts.</param>
    /// <exception cref="StoreUnavailableException">Still throttled or failing after the last attempt, or a status
    /// the SDK raises as an exception that is not transient.</exception>
    public async Task<ResponseMessage> SendAsync(
        Container container, string operation, Func<Task<ResponseMessage>> send, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var delay = Options.RetryDelay;
        string? lastCause = null;
        Exception? lastError = null;
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
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
                // Not transient (401, 400 …): nothing backend-specific escapes.
                throw new StoreUnavailableException($"{Where(container, operation)} failed: {Describe(e)}", e);
            }

            if (attempt < Options.MaxAttempts)
            {
                var wait = retryAfter is { } after && after > TimeSpan.Zero
                    ? after
                    : delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Max(1, delay.TotalMilliseconds)));
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }

        var message = $"{Where(container, operation)} gave up after {Options.MaxAttempts} attempts: {lastCause}";
        throw lastError is null ? new StoreUnavailableException(message) : new StoreUnavailableException(message, lastError);
    }

    /// <summary>The fault for a response no caller expected (401, 400, 500 …).</summary>
    public StoreUnavailableException Unexpected(Container container, string operation, ResponseMessage response) =>
        new($"{Where(container, operation)} failed: {(int)response.StatusCode} {response.StatusCode}: {response.ErrorMessage}");

    /// <summary>"Cosmos DB account …, container …, operation …", the start of every message about a request.</summary>
    public string Where(Container container, string operation) =>
        $"Cosmos DB account '{Options.Endpoint}', container '{Options.Database}/{container.Id}', operation '{operation}'";

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

    /// <summary>The server's <c>x-ms-retry-after-ms</c>, if it named one.</summary>
    private static TimeSpan? RetryAfter(Headers headers) =>
        long.TryParse(headers["x-ms-retry-after-ms"], System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Min(ms, 60_000))
            : null;

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.ServiceUnavailable
            or (HttpStatusCode)449;

    /// <summary>An exception's cause in words, with the status for Cosmos faults.</summary>
    internal static string Describe(Exception e) => e switch
    {
        CosmosException c => $"{(int)c.StatusCode} {c.StatusCode}: {c.Message}",
        _ => e.Message,
    };
}
