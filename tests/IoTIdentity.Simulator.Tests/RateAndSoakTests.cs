using System.Buffers.Binary;
using System.Text.Json;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Simulator.Tests;

/// <summary>Open-loop arrivals at a rate, the soak scenario, and the report's time series, JSON and chart.</summary>
public sealed class RateAndSoakTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-rate-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 300_000)]
    public async Task First_boot_at_a_rate_spreads_the_arrivals_and_enrols_every_device_with_a_timeline_json_and_chart()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 20, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);

        var (report, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token, rate: 8);

        Assert.Equal(20, report.Succeeded);
        Assert.Empty(report.Errors);
        Assert.Equal(20, results.Count);
        // the 20th device arrives 19/8 s after the first, so the run cannot be shorter, however fast the service is
        Assert.True(report.ElapsedSeconds >= 19 / 8.0, $"elapsed {report.ElapsedSeconds:F2} s");
        Assert.Equal(20, report.Timeline.Sum(t => t.Completed));
        Assert.True(report.Timeline.Count(t => t.Completed > 0) >= 2, "completions spread over more than one second");
        Assert.All(report.Timeline.Where(t => t.Completed > 0), t => Assert.True(t.P99 >= t.P50 && t.P50 > 0));
        Assert.Contains(report.Latencies, l => l.Step == DeviceRunner.EndToEnd && l.Count == 20);

        var json = Path.Combine(_directory, "reports", "first-boot.json");
        var png = Path.Combine(_directory, "reports", "first-boot.png");
        report.Save(json);
        ReportChart.Save(report, png);

        using var saved = JsonDocument.Parse(File.ReadAllText(json));
        var timeline = saved.RootElement.GetProperty("Timeline");
        Assert.Equal(report.Timeline.Count, timeline.GetArrayLength());
        Assert.Equal(20, timeline.EnumerateArray().Sum(t => t.GetProperty("Completed").GetInt32()));
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(1000, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact(Timeout = 300_000)]
    public async Task Soak_enrols_then_renews_every_device_at_a_steady_rate_with_zero_errors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "soak-fleet"), 20, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "soak-data"), fleet.Manufacturer.RootDer, timeout.Token);

        // 8 flows a second for 6 s: 48 turns over 20 devices, so every device enrols and then renews at least once
        var report = await FleetScenarios.SoakAsync(fleet, service.ClientOptions, rate: 8, TimeSpan.FromSeconds(6), timeout.Token);

        Assert.Equal("soak", report.Scenario);
        Assert.Equal(48, report.Devices);
        Assert.Equal(48, report.Succeeded);
        Assert.Empty(report.Errors);
        Assert.True(report.ElapsedSeconds >= 47 / 8.0);
        Assert.True(report.Timeline.Count >= 6);
        // a device's turns after its first renew its certificate, so 28 of the 48 successes were renewals
        var store = service.Services.GetRequiredService<IProvisioningStore>();
        foreach (var device in fleet.Devices)
            Assert.Equal("Active", (await store.GetDeviceAsync("dev", device.DeviceId))!.State);
    }

    [Fact]
    public void Open_loop_arrivals_are_evenly_spaced_at_the_rate_or_all_at_once_without_one()
    {
        Assert.Equal([0, 250, 500, 750], DeviceRunner.Schedule(4, 4).Select(t => t.TotalMilliseconds));
        Assert.All(DeviceRunner.Schedule(3, null), t => Assert.Equal(TimeSpan.Zero, t));
    }

    [Fact]
    public async Task Soak_is_refused_without_a_positive_rate_and_duration()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => FleetScenarios.SoakAsync(null!, new(), rate: 0, TimeSpan.FromSeconds(5), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => FleetScenarios.SoakAsync(null!, new(), rate: 5, TimeSpan.Zero, CancellationToken.None));
    }
}
