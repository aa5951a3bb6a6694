using IoTIdentity.Provisioning.Host.Hosting;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Cluster.Tests;

/// <summary><c>Orleans:Clustering</c> and its companions, as the host reads them.</summary>
public sealed class ClusteringConfigurationTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("iotid-clustering-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public void An_unknown_clustering_mode_is_refused_when_the_host_is_built()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Orleans:Clustering"] = "zookeeper" }));

        Assert.Contains("'zookeeper' is neither 'localhost' nor 'cosmos'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cosmos_clustering_is_refused_when_grain_state_is_not_on_cosmos()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Orleans:Clustering"] = "cosmos" }));

        Assert.Contains("Storage:Provider", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "iotidentity.db")));
    }

    [Fact]
    public void Cosmos_clustering_is_refused_when_the_account_is_not_configured()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new()
        {
            ["Orleans:Clustering"] = "cosmos", ["Storage:Provider"] = "cosmos",
        }));

        Assert.Contains("Storage:Cosmos (Endpoint, Key) is not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_advertised_ip_that_is_not_an_address_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new()
        {
            ["Orleans:Clustering"] = "cosmos", ["Storage:Provider"] = "cosmos", ["Orleans:AdvertisedIP"] = "silo-1.local",
            ["Storage:Cosmos:Endpoint"] = "https://127.0.0.1:1/", ["Storage:Cosmos:Key"] = "a2V5",
        }));

        Assert.Contains("'silo-1.local' is not an IP address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_silos_on_localhost_clustering_form_one_cluster_when_the_second_names_the_primary_port()
    {
        var primaryPort = FreePorts.Next();
        var settings = new Dictionary<string, string?> { ["Orleans:ClusterId"] = $"c{Guid.NewGuid():N}" };
        await using var primary = Build(new(settings) { ["Orleans:SiloPort"] = primaryPort.ToString() }, "primary");
        await using var secondary = Build(new(settings)
        {
            ["Orleans:Clustering"] = "localhost", ["Orleans:PrimarySiloPort"] = primaryPort.ToString(),
        }, "secondary");
        await primary.StartAsync();
        await secondary.StartAsync();

        var management = primary.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true);

        Assert.Equal(2, hosts.Count);
        Assert.All(hosts.Keys, silo => Assert.Equal("127.0.0.1", silo.Endpoint.Address.ToString()));
        // a silo declared dead under a loaded test machine must not take the test host down (Orleans fail-fasts)
        foreach (var silo in new[] { primary, secondary })
        {
            var handler = Assert.IsType<InProcessSilo.LoggedFatalError>(silo.Services.GetRequiredService<IFatalErrorHandler>());
            handler.OnFatalException(this, "test", new InvalidOperationException("told I am dead"));
        }
        await secondary.StopAsync();
        await primary.StopAsync();
    }

    private WebApplication Build(Dictionary<string, string?> settings, string name = "silo") =>
        ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(
            InProcessServiceSettings.For(Path.Combine(_data, name), settings)), InProcessSilo.Tolerate);
}
