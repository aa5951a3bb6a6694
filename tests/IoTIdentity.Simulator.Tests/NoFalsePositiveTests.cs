using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Grains.Monitoring;
using IoTIdentity.Provisioning.Grains.Tenants;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// Monitoring raises nothing on an honest fleet: the simulator's normal scenarios (first boot, rotation storm, soak,
/// transfer, a power cut), short, against the service in-process, leave every tenant without a finding, the inventory sweep
/// (stale devices, expiring certificates) included. To know the detectors have seen every event of the run and are not
/// merely behind, a control event goes into each tenant's stream last and must come out as that tenant's only finding:
/// the stream is one queue, read in order.
/// </summary>
public sealed class NoFalsePositiveTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-quiet-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 300_000)]
    public async Task First_boot_a_rotation_storm_and_a_soak_raise_no_finding()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 12, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);

        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token);
        var storm = await FleetScenarios.RotationStormAsync(fleet, service.ClientOptions, results, timeout.Token);
        var soak = await FleetScenarios.SoakAsync(fleet, service.ClientOptions, rate: 8, TimeSpan.FromSeconds(3), timeout.Token);
        Assert.All(new[] { firstBoot, storm, soak }, r => Assert.Empty(r.Errors));

        await AssertNoFindingsAsync(service, timeout.Token);
    }

    /// <summary>
    /// The online fleet's scenarios: moved to a new owner (both tenants monitored), and a power cut of the whole fleet,
    /// every device reconnecting on its certificate while the service still holds its old session.
    /// </summary>
    [Theory(Timeout = 300_000)]
    [InlineData("transfer", 2)]
    [InlineData("power-cut", 1)]
    public async Task An_online_fleet_moved_to_a_new_owner_or_losing_power_raises_no_finding_in_any_tenant(string scenario, int tenantsMonitored)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 8, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);

        var reports = await ScenarioCatalog.All.Single(s => s.Name == scenario).RunAsync(new ScenarioContext(fleet, service), timeout.Token);
        Assert.All(reports, r => Assert.Empty(r.Errors));

        var tenants = await AssertNoFindingsAsync(service, timeout.Token);
        Assert.True(tenants.Count >= tenantsMonitored, $"{tenantsMonitored} tenants were monitored ({string.Join(", ", tenants)})");
    }

    /// <summary>Sweeps every tenant, sends each a control event last, and asserts the control is each tenant's only finding; returns the tenants.</summary>
    private static async Task<IReadOnlyList<string>> AssertNoFindingsAsync(ServiceTarget service, CancellationToken cancellationToken)
    {
        var grains = service.Services.GetRequiredService<IGrainFactory>();
        var feed = service.Services.GetRequiredService<MonitoringFeed>();
        var tenants = await grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.Key).ListAsync(null, 1000);
        var control = new string('c', 64);
        foreach (var tenant in tenants)
        {
            await grains.GetGrain<IMonitorGrain>(tenant).SweepAsync();
            feed.Publish(tenant, new MonitoredEvent
            {
                Kind = MonitoredEventKind.SecondSessionRefused, Subject = control, At = DateTimeOffset.UtcNow, Address = "192.0.2.99", SessionId = "control",
            });
        }
        foreach (var tenant in tenants)
        {
            var monitor = grains.GetGrain<IMonitorGrain>(tenant);
            var findings = await monitor.ListFindingsAsync();
            while (!findings.Any(f => f.Devices.Contains(control)))
            {
                await Task.Delay(100, cancellationToken);
                findings = await monitor.ListFindingsAsync();
            }
            var unexpected = findings.Where(f => !f.Devices.Contains(control)).ToList();
            Assert.True(unexpected.Count == 0, $"{tenant}: {string.Join("; ", unexpected.Select(f => $"{f.Kind} {string.Join(',', f.Evidence.Select(e => $"{e.Key}={e.Value}"))}"))}");
        }
        return tenants;
    }
}
