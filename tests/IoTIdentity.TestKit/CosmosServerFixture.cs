using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.Simulator.Swtpm;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// A real Cosmos DB protocol server for the tests (<see cref="CosmosDbTestServer"/>: <c>@vercel/cosmosdb-server</c>,
/// installed on first use with <c>npm ci</c>, on a free loopback port over HTTPS), stopped at the end. Without node and
/// npm the fixture fails and says how to install them.
/// </summary>
public sealed class CosmosServerFixture : IAsyncLifetime
{
    private CosmosDbTestServer? _server;

    /// <summary>The server's endpoint, e.g. https://127.0.0.1:40123/.</summary>
    public Uri Endpoint => Server.Endpoint;

    /// <summary>The key the server expects: any; the Cosmos emulator's well-known key is used by convention.</summary>
    public const string Key = CosmosDbTestServer.Key;

    private CosmosDbTestServer Server => _server ?? throw new InvalidOperationException("the Cosmos DB test server is not started");

    /// <summary>
    /// A store (or membership table) on <paramref name="database"/> of this server: its endpoint and key, its
    /// self-signed certificate accepted, and query plans answered locally (the server has no query-plan endpoint).
    /// </summary>
    public CosmosStoreOptions StoreOptions(string database) => new()
    {
        Endpoint = Endpoint,
        Key = Key,
        Database = database,
        AcceptAnyServerCertificate = true,
        AnswerQueryPlansLocally = true,
    };

    /// <summary>The service's settings that put its grain state and records on <paramref name="database"/> of this server.</summary>
    public Dictionary<string, string?> ServiceSettings(string database) => Server.ServiceSettings(database);

    public async Task InitializeAsync() => _server = await CosmosDbTestServer.StartAsync(RepositoryRoot.Find());

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
