using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// The collection of the tests that share one <see cref="CosmosServerFixture"/> process. xunit looks for collection
/// definitions only in the test assembly, so each test project that uses it declares
/// <c>[CollectionDefinition(CosmosServerCollection.Name)] public sealed class CosmosCollection : CosmosServerCollection;</c>
/// </summary>
public abstract class CosmosServerCollection : ICollectionFixture<CosmosServerFixture>
{
    /// <summary>The name test classes join with <c>[Collection(CosmosServerCollection.Name)]</c>.</summary>
    public const string Name = "cosmosdb-server";
}
