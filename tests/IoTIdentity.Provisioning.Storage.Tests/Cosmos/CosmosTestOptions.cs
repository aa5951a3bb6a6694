using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>Store options for the test server.</summary>
internal static class CosmosTestOptions
{
    /// <summary>Options for a store over the server's shared test database.</summary>
    public static CosmosStoreOptions Options(this CosmosServerFixture server, string database = "iotidentity-tests") =>
        server.StoreOptions(database) with { MaxAttempts = 3 };
}
