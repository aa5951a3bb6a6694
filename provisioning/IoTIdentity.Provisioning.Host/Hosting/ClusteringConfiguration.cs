using System.Net;
using IoTIdentity.Provisioning.Clustering.Cosmos;
using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Provisioning.Storage.Cosmos;
using Orleans.Configuration;
using Orleans.Providers;

// Orleans reads "Orleans:Clustering" itself (its configuration-based providers) and, finding a plain value rather
// than a ProviderType, asks for the provider named "Default": that is this one, so the shared name works both ways.
[assembly: RegisterProvider("Default", "Clustering", "Silo", typeof(ClusteringConfiguration))]

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// How a silo finds the others, from configuration: <c>Orleans:Clustering</c> = <c>localhost</c> (default: one silo
/// on loopback, or extra silos joining the one on <c>Orleans:PrimarySiloPort</c> — Orleans' development clustering,
/// never for production) or <c>cosmos</c> (the membership table on the Cosmos DB account of <c>Storage:Cosmos:*</c>,
/// container <c>membership</c>; needs <c>Storage:Provider</c> = <c>cosmos</c>). Also <c>Orleans:ClusterId</c>
/// (default <c>iotid</c>), <c>Orleans:ServiceId</c> (default <c>iotidentity</c>), <c>Orleans:SiloPort</c>,
/// <c>Orleans:GatewayPort</c> (default: no gateway) and <c>Orleans:AdvertisedIP</c> (cosmos only; default: the host's
/// address). Silo traffic uses mutual TLS when <c>Orleans:Tls:*</c> is configured (<see cref="ClusterTls"/>).
/// </summary>
public sealed class ClusteringConfiguration : IProviderBuilder<ISiloBuilder>
{
    /// <summary>The configuration key naming the mode.</summary>
    public const string Key = "Orleans:Clustering";

    /// <summary>Called by Orleans when <c>Orleans:Clustering</c> is set; applies <see cref="Apply"/>.</summary>
    public void Configure(ISiloBuilder builder, string? name, IConfigurationSection configurationSection) =>
        Apply(builder, builder.Configuration);

    /// <summary>
    /// Whether the host must call <see cref="Apply"/> itself: Orleans calls this provider only when
    /// <c>Orleans:Clustering</c> is present (and not when it names its own <c>ProviderType</c>).
    /// </summary>
    public static bool AppliedByHost(IConfiguration configuration) => !configuration.GetSection(Key).Exists();

    /// <summary>Configures the silo's clustering, cluster identity and endpoints.</summary>
    /// <exception cref="InvalidOperationException">An unknown mode, a bad address, or cosmos clustering without
    /// Cosmos storage.</exception>
    public static void Apply(ISiloBuilder silo, IConfiguration configuration)
    {
        var mode = configuration[Key] ?? "localhost";
        var clusterId = configuration["Orleans:ClusterId"] ?? "iotid";
        var serviceId = configuration["Orleans:ServiceId"] ?? "iotidentity";
        var siloPort = configuration.GetValue("Orleans:SiloPort", EndpointOptions.DEFAULT_SILO_PORT);
        // No gateway (0) unless configured: the service's own code talks to grains in-process, not through a gateway.
        var gatewayPort = configuration.GetValue("Orleans:GatewayPort", 0);
        switch (mode.ToLowerInvariant())
        {
            case "localhost":
                var primary = configuration.GetValue<int?>("Orleans:PrimarySiloPort") is { } port
                    ? new IPEndPoint(IPAddress.Loopback, port)
                    : null;
                silo.UseLocalhostClustering(siloPort, gatewayPort, primary, serviceId, clusterId);
                break;
            case "cosmos":
                if (!string.Equals(configuration["Storage:Provider"], "cosmos", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        "Orleans:Clustering is 'cosmos', but Storage:Provider is not: silos of one cluster must share " +
                        "their grain state, so set Storage:Provider to 'cosmos' too.");
                }

                var advertised = configuration["Orleans:AdvertisedIP"] is { Length: > 0 } text
                    ? IPAddress.TryParse(text, out var ip) ? ip
                        : throw new InvalidOperationException($"Orleans:AdvertisedIP '{text}' is not an IP address.")
                    : null;
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId));
                silo.Configure<EndpointOptions>(o =>
                {
                    o.SiloPort = siloPort;
                    o.GatewayPort = gatewayPort;
                    if (advertised is not null) o.AdvertisedIPAddress = advertised;
                });
                silo.UseCosmosClustering(CosmosOptions(configuration));
                break;
            default:
                throw new InvalidOperationException($"{Key} '{mode}' is neither 'localhost' nor 'cosmos'.");
        }

        ClusterTls.Apply(silo, configuration);
    }

    /// <summary>The Cosmos DB account of <c>Storage:Cosmos:*</c> (shared by the store and the membership table).</summary>
    /// <exception cref="InvalidOperationException">The section is missing.</exception>
    public static CosmosStoreOptions CosmosOptions(IConfiguration configuration) =>
        configuration.GetSection("Storage:Cosmos").Get<CosmosStoreOptions>()
            ?? throw new InvalidOperationException("Cosmos DB is selected, but Storage:Cosmos (Endpoint, Key) is not configured.");
}
