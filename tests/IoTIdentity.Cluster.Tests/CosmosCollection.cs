using IoTIdentity.TestKit;

namespace IoTIdentity.Cluster.Tests;

/// <summary>The tests that share one <see cref="CosmosServerFixture"/> process.</summary>
[CollectionDefinition(Name)]
public sealed class CosmosCollection : ICollectionFixture<CosmosServerFixture>
{
    public const string Name = "cosmosdb-server";
}
