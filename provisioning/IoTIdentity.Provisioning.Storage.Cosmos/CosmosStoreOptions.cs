namespace IoTIdentity.Provisioning.Storage.Cosmos;

/// <summary>Where the Cosmos DB account is and how <see cref="CosmosProvisioningStore"/> talks to it.</summary>
public sealed record CosmosStoreOptions
{
    /// <summary>The well-known key of the Cosmos DB emulator (public, documented by Microsoft; not a secret).</summary>
    public const string EmulatorKey =
        "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>The account endpoint, e.g. <c>https://localhost:8081/</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The account key (primary or secondary; for the emulator <see cref="EmulatorKey"/>).</summary>
    public required string Key { get; init; }

    /// <summary>The database holding the store's four containers; created if absent. Default <c>iotidentity</c>.</summary>
    public string Database { get; init; } = "iotidentity";

    /// <summary>
    /// Accept the server's TLS certificate without validating it. Only for the Cosmos emulator and test servers,
    /// which present a self-signed certificate; never set it against a real account. Default <see langword="false"/>.
    /// </summary>
    public bool AcceptAnyServerCertificate { get; init; }

    /// <summary>
    /// Answer the SDK's query-plan requests for this store's single-partition queries on the client instead of
    /// asking the server. Only for <c>@vercel/cosmosdb-server</c>, which has no query-plan endpoint; Cosmos DB and
    /// its emulator plan queries themselves. Default <see langword="false"/>.
    /// </summary>
    public bool AnswerQueryPlansLocally { get; init; }

    /// <summary>
    /// How many times one request is sent before a throttled (429) or transient (408, 449, 503, transport error)
    /// outcome becomes <see cref="StoreUnavailableException"/>; 1–20, default 6. The SDK's own 429 retries come on top.
    /// </summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The first back-off between attempts when the server names no retry-after; doubled each time, with
    /// jitter. Default 100 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Extra request handlers, outermost first (tests inject throttling and outages with them).</summary>
    internal IReadOnlyList<Microsoft.Azure.Cosmos.RequestHandler> Handlers { get; init; } = [];

    /// <summary>The timeout of one HTTP request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
