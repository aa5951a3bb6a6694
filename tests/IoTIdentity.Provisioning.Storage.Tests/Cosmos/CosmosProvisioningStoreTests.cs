using System.Net;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.Provisioning.Storage.Tests.Contract;
using IoTIdentity.TestKit;
using Microsoft.Azure.Cosmos;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>The contract suite against <c>@vercel/cosmosdb-server</c>: one shared database, a store per test.</summary>
[Collection(CosmosServerCollection.Name)]
public sealed class CosmosProvisioningStoreTests(CosmosServerFixture server) : ProvisioningStoreContract
{
    protected override async Task<IProvisioningStore> CreateStoreAsync() =>
        await CosmosProvisioningStore.OpenAsync(server.Options());

    protected override async Task TamperAuditAsync(IProvisioningStore store, string tenantId, long sequence)
    {
        // An attacker with the account key rewrites the outcome through the SDK, keeping the stored hash.
        var cosmos = (CosmosProvisioningStore)store;
        using var client = RawClient(server);
        var container = client.GetContainer(cosmos.Database, "audit");
        var id = sequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
        var item = await container.ReadItemAsync<Newtonsoft.Json.Linq.JObject>(id, new PartitionKey(tenantId));
        item.Resource["outcome"] = "allowed (edited)";
        var replaced = await container.ReplaceItemAsync(item.Resource, id, new PartitionKey(tenantId));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
    }

    /// <summary>A plain SDK client on the test server, bypassing the store; with or without the store's handlers.</summary>
    internal static CosmosClient RawClient(CosmosServerFixture server, bool handlers = true)
    {
        var options = new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            HttpClientFactory = () => new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            }),
        };
        if (handlers)
        {
            options.CustomHandlers.Add(new CrossPartitionQueryHeaderHandler());
            options.CustomHandlers.Add(new SinglePartitionQueryPlanHandler());
        }

        return new CosmosClient(server.Endpoint.AbsoluteUri, CosmosStoreOptions.EmulatorKey, options);
    }
}
