using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Storage.Tests.Cosmos;

/// <summary>This assembly's <see cref="CosmosServerCollection"/>: xunit looks for collection definitions only in the test assembly.</summary>
[CollectionDefinition(CosmosServerCollection.Name)]
public sealed class CosmosCollection : CosmosServerCollection;
