using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator;

/// <summary>What a fleet run uses.</summary>
public sealed record FleetOptions(int Devices, int Swtpms, string FleetDirectory, string DataDirectory, string ReportDirectory);

/// <summary>
/// Runs fleet scenarios against the service in-process: manufacture (or reuse) the fleet, start the service on its
/// embedded defaults trusting the fleet's manufacturer, run the scenarios, print and save the reports.
/// </summary>
public static class FleetCommand
{
    /// <summary>Runs a named scenario (first-boot, rotation-storm, adversarial); 0 when every device did what it should.</summary>
    public static async Task<int> RunAsync(FleetOptions options, string scenario, CancellationToken cancellationToken)
    {
        SwtpmTools.RequireAll();
        Console.WriteLine($"[sim] fleet of {options.Devices} devices on {options.Swtpms} swtpm processes in {Path.GetFullPath(options.FleetDirectory)}");
        await using var fleet = await Fleet.LoadOrManufactureAsync(options.FleetDirectory, options.Devices, options.Swtpms, cancellationToken);
        await using var service = await ServiceTarget.StartInProcessAsync(options.DataDirectory, fleet.Manufacturer.RootDer, cancellationToken);

        if (scenario == "adversarial")
        {
            var adversarial = await AdversarialScenario.RunAsync(fleet, service.ClientOptions, Path.Combine(options.FleetDirectory, "rogue"), cancellationToken);
            Report(adversarial, options);
            return adversarial.Succeeded == adversarial.Devices ? 0 : 1;
        }
        var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, service.ClientOptions, cancellationToken);
        Report(firstBoot, options);
        var ok = firstBoot.Succeeded == firstBoot.Devices;
        if (scenario == "rotation-storm")
        {
            var storm = await FleetScenarios.RotationStormAsync(fleet, service.ClientOptions, results, cancellationToken);
            Report(storm, options);
            ok &= storm.Succeeded == storm.Devices;
        }
        return ok ? 0 : 1;
    }

    private static void Report(ScenarioReport report, FleetOptions options)
    {
        report.Print(Console.Out);
        var path = Path.Combine(options.ReportDirectory, $"{report.Scenario}.json");
        report.Save(path);
        Console.WriteLine($"  report: {path}");
    }
}
