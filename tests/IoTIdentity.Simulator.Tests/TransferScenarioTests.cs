using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Simulator.Tests;

/// <summary>The transfer scenario: an online fleet moved to a second tenant in bulk, each device re-enrolling on the command.</summary>
public sealed class TransferScenarioTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-transfer-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 300_000)]
    public async Task An_online_fleet_is_transferred_to_a_new_tenant_and_every_device_ends_with_its_certificate_with_zero_errors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 16, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);
        IFleetScenario scenario = new TransferScenario();

        var reports = await scenario.RunAsync(new ScenarioContext(fleet, service), timeout.Token);

        Assert.Equal(["enrol", "transfer"], reports.Select(r => r.Scenario));
        Assert.All(reports, r => Assert.Empty(r.Errors));
        Assert.All(reports, r => Assert.Equal(16, r.Succeeded));
        Assert.All(reports, r => Assert.True(scenario.Passed(r)));
        var transfer = reports[1];
        Assert.Contains(transfer.Latencies, l => l.Step == OnlineFleet.CommandReceived && l.Count == 16);
        Assert.Contains(transfer.Latencies, l => l.Step == OnlineFleet.Reenrolled && l.Count == 16);
        Assert.All(transfer.Latencies.Where(l => l.Step == OnlineFleet.Reenrolled), l => Assert.True(l.P50 > 0));

        // the service agrees: the dev tenant holds none of the devices any more
        var store = service.Services.GetRequiredService<IProvisioningStore>();
        Assert.Empty((await store.ListDevicesAsync("dev", new DeviceQuery { PageSize = 100 }, timeout.Token)).Items);
    }

    [Fact]
    public async Task Without_the_service_administrator_key_the_scenario_says_it_needs_one_before_anything_changes()
    {
        var api = new ServiceApi(new Uri("http://127.0.0.1:1"), "iotid.dev.key.secret");
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new TransferScenario().RunAsync(new ScenarioContext(null!, new KeylessTarget(api)), CancellationToken.None));
        Assert.Contains("--admin-key", error.Message);
    }

    /// <summary>A target that knows a tenant key but not the administrator's (a remote service without --admin-key).</summary>
    private sealed class KeylessTarget(ServiceApi api) : IServiceTarget
    {
        public EnrollmentClientOptions ClientOptions => new();

        public TimeSpan? CpuTime => null;

        public Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken) => Task.FromResult<ServiceApi?>(api);

        public Task<ServiceApi?> GetAdminApiAsync(CancellationToken cancellationToken) => Task.FromResult<ServiceApi?>(null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
