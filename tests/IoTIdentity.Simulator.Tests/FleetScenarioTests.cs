using IoTIdentity.Attestation.Firmware;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Factory;
using Microsoft.Extensions.DependencyInjection;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>A small fleet (20 devices on 2 swtpm processes) against the service in-process, with zero errors.</summary>
public sealed class FleetScenarioTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-fleet-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 120_000)]
    public async Task A_fleet_enrols_at_first_boot_and_survives_a_rotation_storm_with_zero_errors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 20, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);

        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token);
        var storm = await FleetScenarios.RotationStormAsync(fleet, service.ClientOptions, results, timeout.Token);

        Assert.Equal(20, firstBoot.Succeeded);
        Assert.Empty(firstBoot.Errors);
        Assert.Equal(20, storm.Succeeded);
        Assert.Empty(storm.Errors);
        Assert.All(results.Values, r => Assert.Equal("dev", r.Issued.Owner));
        Assert.Contains(firstBoot.Latencies, l => l.Step == "total" && l.Count == 20);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_second_run_reuses_the_manufactured_fleet()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var directory = Path.Combine(_directory, "reused");
        IReadOnlyList<string> first;
        await using (var fleet = await Fleet.LoadOrManufactureAsync(directory, 4, 2, timeout.Token))
            first = fleet.Devices.Select(d => d.DeviceId).ToList();

        await using var again = await Fleet.LoadOrManufactureAsync(directory, 4, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data2"), again.Manufacturer.RootDer, timeout.Token);
        var (report, _) = await FleetScenarios.FirstBootAsync(again, service.ClientOptions, timeout.Token);

        Assert.Equal(first, again.Devices.Select(d => d.DeviceId));
        Assert.Equal(4, report.Succeeded);
    }

    [Fact(Timeout = 120_000)]
    public async Task Every_attacker_in_the_adversarial_scenario_is_refused_with_its_expected_reason()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "adversarial"), 20, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data3"), fleet.Manufacturer.RootDer, timeout.Token);

        var report = await AdversarialScenario.RunAsync(fleet, service.ClientOptions, Path.Combine(_directory, "rogue"), timeout.Token);

        Assert.Equal(20, report.Succeeded);
        Assert.Empty(report.Errors);
        Assert.Contains(report.Latencies, l => l.Step == "total" && l.Count == 16);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("1.0.0", true)]
    [InlineData("1.0.0-tampered", false)]
    public async Task A_fleet_booting_a_sample_release_enrols_only_when_the_release_is_allowed(string booted, bool enrols)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var samples = Path.Combine(_directory, "firmware");
        SampleReleases.WriteAll(samples);
        FirmwareManifest Manifest(string version) => FirmwareManifestJson.Load(Path.Combine(samples, $"{SampleReleases.Product}-{version}", "manifest.json"));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, $"fleet-{booted}"), 4, 2, timeout.Token);
        await fleet.BootAsync(Manifest(booted), Path.Combine(samples, $"{SampleReleases.Product}-{booted}"), timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, $"data-{booted}"), fleet.Manufacturer.RootDer,
            timeout.Token, allowedFirmware: Manifest("1.0.0"));

        var (report, _) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token);

        if (enrols)
        {
            Assert.Equal(4, report.Succeeded);
            var store = service.Services.GetRequiredService<IProvisioningStore>();
            foreach (var device in fleet.Devices)
                Assert.Equal("acme-sensor 1.0.0", (await store.GetDeviceAsync("dev", device.DeviceId))!.Firmware);
        }
        else
        {
            Assert.Equal(0, report.Succeeded);
            Assert.Equal(4, report.Errors["MeasurementNotAllowed"]);
        }
    }
}
