using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Storage.Cosmos;
using IoTIdentity.TestKit;
using Microsoft.Extensions.Configuration;

namespace IoTIdentity.Provisioning.Tests;

/// <summary><c>Storage:Provider</c>: the service on <c>@vercel/cosmosdb-server</c> instead of SQLite.</summary>
[Collection(CosmosServerCollection.Name)]
public sealed class CosmosHostingTests(CosmosServerFixture cosmos)
{
    [Fact]
    public async Task With_the_cosmos_provider_grain_state_lives_in_cosmos_and_survives_a_restart()
    {
        var service = ServiceFixture.With(cosmos.ServiceSettings($"hosting-{Guid.NewGuid():N}"));
        await service.InitializeAsync();
        try
        {
            Assert.IsType<CosmosProvisioningStore>(service.Store);
            await service.CreateTenantAsync("acme", []);

            await service.RestartAsync();

            Assert.True(await service.Grains.GetGrain<ITenantGrain>("acme").ExistsAsync());
            Assert.False(File.Exists(Path.Combine(service.DataDirectory, "iotidentity.db")));
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    [Fact]
    public void An_unknown_storage_provider_is_refused_when_the_host_is_built()
    {
        var data = Directory.CreateTempSubdirectory("iotid-provider-").FullName;
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => ProvisioningHost.Build([], builder =>
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Provisioning:DataDirectory"] = data,
                    ["Provisioning:Mode"] = "Development",
                    ["Storage:Provider"] = "mongo",
                })));
            Assert.Contains("'mongo'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
