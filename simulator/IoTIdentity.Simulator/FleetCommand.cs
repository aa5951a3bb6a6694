using IoTIdentity.Attestation.Firmware;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator;

/// <summary>What a fleet run uses.</summary>
public sealed record FleetOptions(int Devices, int Swtpms, string FleetDirectory, string DataDirectory, string ReportDirectory,
    bool ServiceProcess = false, string? Firmware = null);

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
        FirmwareManifest? firmware = null;
        if (options.Firmware is { } version)
        {
            if (options.ServiceProcess) throw new InvalidOperationException("--firmware works with the in-process service only (for now)");
            var samples = Path.Combine(options.FleetDirectory, "firmware");
            SampleReleases.WriteAll(samples);
            var release = Path.Combine(samples, $"{SampleReleases.Product}-{version}");
            if (!Directory.Exists(release)) throw new ArgumentException($"no sample release {version}: {string.Join(", ", SampleReleases.Directories)}");
            firmware = FirmwareManifestJson.Load(Path.Combine(release, "manifest.json"));
            await fleet.BootAsync(firmware, release, cancellationToken);
            Console.WriteLine($"[sim] every swtpm booted {firmware.Release}");
        }
        ServiceTarget? inProcess = null;
        ServiceProcess? process = null;
        try
        {
            if (options.ServiceProcess)
            {
                var dll = Scenarios.ServiceProcess.FindServiceDll()
                    ?? throw new InvalidOperationException("build the service first: dotnet build provisioning/IoTIdentity.Provisioning.Host (same configuration)");
                process = await Scenarios.ServiceProcess.StartAsync(dll, options.DataDirectory, fleet.Manufacturer.RootDer, cancellationToken);
            }
            else
            {
                inProcess = await ServiceTarget.StartInProcessAsync(options.DataDirectory, fleet.Manufacturer.RootDer, cancellationToken, firmware);
            }
            var client = process?.ClientOptions ?? inProcess!.ClientOptions;
            TimeSpan Cpu() => process?.CpuTime ?? TimeSpan.Zero;
            ScenarioReport Measured(ScenarioReport report, TimeSpan before) =>
                process is null ? report : report with { ServiceCpuSeconds = (Cpu() - before).TotalSeconds };

            var cpu = Cpu();
            if (scenario == "adversarial")
            {
                var adversarial = Measured(await AdversarialScenario.RunAsync(fleet, client, Path.Combine(options.FleetDirectory, "rogue"), cancellationToken), cpu);
                Report(adversarial, options);
                return adversarial.Succeeded == adversarial.Devices ? 0 : 1;
            }
            var (firstBoot, results) = await FleetScenarios.FirstBootAsync(fleet, client, cancellationToken);
            firstBoot = Measured(firstBoot, cpu);
            Report(firstBoot, options);
            var ok = firstBoot.Succeeded == firstBoot.Devices;
            if (scenario == "rotation-storm")
            {
                cpu = Cpu();
                var storm = Measured(await FleetScenarios.RotationStormAsync(fleet, client, results, cancellationToken), cpu);
                Report(storm, options);
                ok &= storm.Succeeded == storm.Devices;
            }
            return ok ? 0 : 1;
        }
        finally
        {
            if (inProcess is not null) await inProcess.DisposeAsync();
            if (process is not null) await process.DisposeAsync();
        }
    }

    private static void Report(ScenarioReport report, FleetOptions options)
    {
        report.Print(Console.Out);
        var path = Path.Combine(options.ReportDirectory, $"{report.Scenario}.json");
        report.Save(path);
        Console.WriteLine($"  report: {path}");
    }
}
