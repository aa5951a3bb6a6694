using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Simulator.Tests;

/// <summary>
/// The adversarial scenario as <c>iotid-sim adversarial</c> runs it, against the service in-process: after the attack
/// phase, each misbehaviour of the detection phase produces the finding its detector opens, the report lists those
/// findings, and the service holds exactly them — checked on the service side too, not only through the report.
/// </summary>
public sealed class AdversarialDetectionTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-detect-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact(Timeout = 300_000)]
    public async Task Every_misbehaviour_of_the_adversarial_run_is_reported_with_the_finding_its_detector_opened()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(290));
        await using var fleet = await Fleet.LoadOrManufactureAsync(Path.Combine(_directory, "fleet"), 10, 2, timeout.Token);
        await using var service = await ServiceTarget.StartInProcessAsync(Path.Combine(_directory, "data"), fleet.Manufacturer.RootDer, timeout.Token);

        var reports = await new AdversarialScenario().RunAsync(new ScenarioContext(fleet, service), timeout.Token);

        Assert.Equal(["adversarial", DetectionPhase.Name], reports.Select(r => r.Scenario));
        Assert.All(reports, r => Assert.Empty(r.Errors));
        var detection = reports[1];
        Assert.Equal(Misbehaviours.All.Count, detection.Succeeded);
        var findings = detection.Findings!;
        Assert.Equal(Misbehaviours.All.Select(m => (m.Name, m.Kind)), findings.Select(f => (f.Misbehaviour, f.Kind)));
        Assert.All(findings, f => Assert.NotEmpty(f.Devices));
        Assert.All(findings, f => Assert.Equal("signed", f.Webhook));     // received on loopback, HMAC and timestamp verified
        Assert.All(findings, f => Assert.True(f.AuditEntries > 0, $"{f.Misbehaviour}'s finding links no audit entry"));
        Assert.True(findings.Single(f => f.Kind == "AttestationFailures").Devices.Count >= 5, "the burst names every device that failed");
        Assert.Equal(("acme-sensor 1.1.0", "acme-sensor 1.0.0"), (findings.Single(f => f.Kind == "FirmwareDowngrade").Evidence["from"],
            findings.Single(f => f.Kind == "FirmwareDowngrade").Evidence["to"]));

        // the service holds these findings, each naming the devices the report says
        var monitor = service.Services.GetRequiredService<IGrainFactory>().GetGrain<IMonitorGrain>("dev");
        var held = await monitor.ListFindingsAsync();
        foreach (var reported in findings)
            Assert.Equal(reported.Devices, held.Single(f => f.Id == reported.FindingId && f.Kind.ToString() == reported.Kind).Devices);
    }
}
