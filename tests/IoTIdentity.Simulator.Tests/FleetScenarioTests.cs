using System.Buffers.Binary;
using System.Text.Json;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// A small fleet (20 devices on 2 swtpm processes; 16 for the transfer) against the service in-process, with zero
/// errors: every scenario, open-loop arrivals at a rate, the soak, and the report's time series, JSON and chart.
/// </summary>
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

        // what a scenario acting as an operator gets: the HTTP API with a working key of the fleet's tenant
        var api = await service.GetApiAsync(timeout.Token);
        using var http = api!.CreateClient();
        using var group = JsonDocument.Parse(await http.GetStringAsync("/api/v1/enrollment-groups/default", timeout.Token));
        Assert.Equal(20, group.RootElement.GetProperty("deviceCount").GetInt32());
    }

    [Fact(Timeout = 180_000)]
    public async Task Swtpm_devices_renew_and_ask_for_tokens_on_sessions_their_swtpm_authenticates_when_the_service_requires_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(170));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 4, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token,
            settings: new Dictionary<string, string?> { ["Mqtt:RequireAuthenticatedSession"] = "true" });
        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, timeout.Token);
        Assert.Equal(4, firstBoot.Succeeded);

        // every device's renewal and token request on the session its certificate opened, the swtpm signing the handshake
        var renewed = new System.Collections.Concurrent.ConcurrentDictionary<string, EnrollmentResult>();
        var (outcomes, _) = await DeviceRunner.RunAsync(fleet, service.ClientOptions, fleet.Devices.Select(d => new Arrival(d, TimeSpan.Zero)).ToList(),
            async (device, tpm, channel) =>
            {
                var client = Assert.IsType<EnrollmentClient>(channel);
                Assert.True(client.IsAuthenticated, $"{device.DeviceId} connected enrolment-only");
                var current = results[device.DeviceId];
                var enrollment = new TpmEnrollment(tpm, fleet.OptionsFor(device));
                var result = await enrollment.RenewAsync(channel, current.DeviceKey, current.Issued.SerialNumber, timeout.Token);
                var token = await Assert.ThrowsAsync<EnrollmentRefusedException>(async () => await client.RequestTokenAsync(
                    await enrollment.SignTokenRequestAsync(device.DeviceId, result.DeviceKey, result.SrkTemplate, result.Issued.SerialNumber, "https://api.example", null, timeout.Token),
                    timeout.Token));
                // past the session gate: the group has no token policy, so the grain itself answers
                Assert.Equal(IoTIdentity.Protocol.ProvisioningError.AudienceNotAllowed, token.Error);
                renewed[device.DeviceId] = result;
                return result;
            }, null, timeout.Token, FleetScenarios.Certificates(fleet, results));

        Assert.All(outcomes, o => Assert.True(o.Succeeded, $"{o.DeviceId}: {o.Error}"));
        Assert.All(outcomes, o => Assert.DoesNotContain(AuthenticatedSessions.Refused, o.StepMilliseconds.Keys));
        Assert.All(fleet.Devices, d => Assert.NotEqual(results[d.DeviceId].Issued.SerialNumber, renewed[d.DeviceId].Issued.SerialNumber));

        // a session opened enrolment-only is refused the renewal: the authenticated one above was not a default
        await using var enrolmentOnly = await EnrollmentClient.ConnectAsync(fleet.Devices[0].DeviceId, service.ClientOptions, timeout.Token);
        Assert.False(enrolmentOnly.IsAuthenticated);
        var current = renewed[fleet.Devices[0].DeviceId];
        var refused = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => fleet.RunOnTpmAsync(fleet.Devices[0],
            tpm => new TpmEnrollment(tpm, fleet.OptionsFor(fleet.Devices[0])).RenewAsync(enrolmentOnly, current.DeviceKey, current.Issued.SerialNumber, timeout.Token),
            timeout.Token));
        Assert.Equal(IoTIdentity.Protocol.ProvisioningError.AuthenticationRequired, refused.Error);
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
        Assert.True(report.Timeline.Count(t => t.Completed > 0) >= 2, "completions spread over more than one slice");
        Assert.True(report.Throughput <= report.PeakThroughput);
        Assert.All(report.Timeline.Where(t => t.Completed > 0), t => Assert.True(t.P99 >= t.P50 && t.P50 > 0));
        Assert.Contains(report.Latencies, l => l.Step == DeviceRunner.EndToEnd && l.Count == 20);

        var json = Path.Combine(_directory, "reports", "first-boot.json");
        var png = Path.Combine(_directory, "reports", "first-boot.png");
        report.Save(json);
        ReportChart.Save(report, png);

        using var saved = JsonDocument.Parse(File.ReadAllText(json));
        var timeline = saved.RootElement.GetProperty("timeline");
        Assert.Equal(report.Timeline.Count, timeline.GetArrayLength());
        Assert.Equal(20, timeline.EnumerateArray().Sum(t => t.GetProperty("completed").GetInt32()));
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
        Assert.Equal(48, report.Flows);
        Assert.Equal(20, report.Devices);
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

    /// <summary>
    /// The whole online fleet loses power at once (its connections end without a word: TCP repair mode) and reconnects
    /// all at once on its certificates while the service still holds every old session: each device is back on its
    /// authenticated session, none refused as a second session.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task An_online_fleet_that_loses_power_at_once_is_back_on_its_certificates_with_zero_errors()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 16, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);
        IFleetScenario scenario = ScenarioCatalog.All.Single(s => s.Name == "power-cut");

        var reports = await scenario.RunAsync(new ScenarioContext(fleet, service), timeout.Token);

        Assert.Equal(["enrol", "power-cut"], reports.Select(r => r.Scenario));
        Assert.All(reports, r => Assert.Empty(r.Errors));
        Assert.All(reports, r => Assert.Equal(16, r.Succeeded));
        Assert.All(reports, r => Assert.True(scenario.Passed(r)));
        Assert.Contains(reports[1].Latencies, l => l.Step == OnlineFleet.Reconnect && l.Count == 16);
    }

    [Theory]
    [InlineData("transfer")]
    [InlineData("adversarial-tenant")]
    public async Task Without_the_service_administrator_key_a_scenario_making_tenants_says_it_needs_one_before_anything_changes(string name)
    {
        var scenario = ScenarioCatalog.All.Single(s => s.Name == name);
        var api = new ServiceApi(new Uri("http://127.0.0.1:1"), "iotid.dev.key.secret");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => scenario.RunAsync(new ScenarioContext(null!, new KeylessTarget(api)), CancellationToken.None));
        Assert.True(scenario.NeedsServiceAdministrator);
        Assert.Contains("--admin-key", error.Message);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_hostile_tenant_attacking_the_fleet_changes_nothing_and_every_device_enrols_and_renews_with_its_owner()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 12, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "hostile-data"), fleet.Manufacturer.RootDer, timeout.Token);
        IFleetScenario scenario = new HostileTenantScenario();

        var reports = await scenario.RunAsync(new ScenarioContext(fleet, service), timeout.Token);

        Assert.Equal(HostileTenantScenario.Phases, reports.Select(r => r.Scenario));
        Assert.All(reports, r => Assert.Empty(r.Errors));
        Assert.All(reports, r => Assert.True(scenario.Passed(r)));
        // 6 owned devices enrol; the hostile tenant's root and group, 7 attacks on each owned device and a claim code on each
        // unowned one; then all 12 renew or enrol with their owner; then 7 attacks on each of the 6 enrolled meanwhile
        Assert.Equal([6, 2 + 6 * 7 + 6, 12, 6 * 7], reports.Select(r => r.Devices));

        // the service agrees: every device is the fleet tenant's and active
        var store = service.Services.GetRequiredService<IProvisioningStore>();
        var devices = (await store.ListDevicesAsync("dev", new DeviceQuery { PageSize = 100 }, timeout.Token)).Items;
        Assert.Equal(fleet.Devices.Select(d => d.DeviceId).Order(), devices.Select(d => d.DeviceId).Order());
        Assert.All(devices, d => Assert.Equal("Active", d.State));
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
