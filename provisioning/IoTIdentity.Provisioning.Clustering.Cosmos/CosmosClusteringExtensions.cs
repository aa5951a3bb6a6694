using IoTIdentity.Provisioning.Storage.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;

namespace IoTIdentity.Provisioning.Clustering.Cosmos;

/// <summary>Registers <see cref="CosmosMembershipTable"/> as a silo's clustering.</summary>
public static class CosmosClusteringExtensions
{
    /// <summary>
    /// Silos of this cluster (<c>ClusterOptions.ClusterId</c>) find each other through the membership table on the
    /// Cosmos DB account <paramref name="options"/> names (container <see cref="CosmosMembershipTable.ContainerName"/>
    /// in its database).
    /// </summary>
    public static ISiloBuilder UseCosmosClustering(this ISiloBuilder silo, CosmosStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        silo.Services.AddSingleton<IMembershipTable>(sp => new CosmosMembershipTable(
            CosmosAccount.Connect(options), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId));
        return silo;
    }
}
