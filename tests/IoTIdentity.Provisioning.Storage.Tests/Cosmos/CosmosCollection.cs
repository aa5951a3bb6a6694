using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>The tests that share one <see cref="CosmosServerFixture"/> process.</summary>
[CollectionDefinition(Name)]
public sealed class CosmosCollection : ICollectionFixture<CosmosServerFixture>
{
    public const string Name = "cosmosdb-server";
}
