using IoTIdentity.Attestation.Firmware;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.Swtpm;
using Spectre.Console;

namespace IoTIdentity.Simulator;

/// <summary>What a fleet run uses.</summary>
/// <param name="Devices">Fleet size.</param>
/// <param name="Swtpms">swtpm processes in the pool.</param>
/// <param name="FleetDirectory">Where the manufactured fleet is kept.</param>
/// <param name="DataDirectory">The in-process or own-process service's data directory.</param>
/// <param name="ReportDirectory">Where the JSON reports and charts go.</param>
/// <param name="ServiceProcess">Run the service as its own process (its CPU is measured).</param>
/// <param name="Firmware">A sample release every swtpm boots, and the only one allowed.</param>
/// <param name="Rate">Arrivals per second; null: as fast as possible.</param>
/// <param name="Duration">How long a steady-rate scenario (soak) runs.</param>
/// <param name="Ek">The EK algorithm of newly manufactured devices.</param>
/// <param name="Remote">A service someone else runs; null: the service in-process (or as its own process).</param>
/// <param name="Tpm">swtpm processes, or in-process emulated TPMs (fresh devices each run).</param>
public sealed record FleetOptions(int Devices, int Swtpms, string FleetDirectory, string DataDirectory, string ReportDirectory,
    bool ServiceProcess = false, string? Firmware = null, double? Rate = null, TimeSpan? Duration = null, EkAlgorithm Ek = EkAlgorithm.Ecc,
    RemoteTargetOptions? Remote = null, TpmKind Tpm = TpmKind.Swtpm);

/// <summary>
/// Runs a fleet scenario: manufacture (or reuse) the fleet, bring up the target (the service in-process on its
/// embedded defaults, as its own process, or a remote service set up through its HTTP API), run the scenario with
/// a progress bar per phase, then print each phase's table and save its JSON report and chart.
/// </summary>
public static class FleetCommand
{
    /// <summary>Runs <paramref name="scenario"/>; 0 when every phase passed, 1 when one did not.</summary>
    public static async Task<int> RunAsync(FleetOptions options, IFleetScenario scenario, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        Fleet? made = null;
        if (options.Tpm == TpmKind.Emulated)
        {
            console.MarkupLine($"[grey][[sim]][/] fleet of {options.Devices} devices with emulated TPMs (manufacturer in {Markup.Escape(Path.GetFullPath(options.FleetDirectory))})");
            made = Fleet.CreateEmulated(options.FleetDirectory, options.Devices, options.Ek);
        }
        else
        {
            SwtpmTools.RequireAll();
            console.MarkupLine($"[grey][[sim]][/] fleet of {options.Devices} devices on {options.Swtpms} swtpm processes in {Markup.Escape(Path.GetFullPath(options.FleetDirectory))}");
        }
        if (made is null) await console.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("manufacturing", maxValue: options.Devices);
            made = await Fleet.LoadOrManufactureAsync(options.FleetDirectory, options.Devices, options.Swtpms, cancellationToken, options.Ek,
                new Progress<int>(_ => task.Increment(1)));
            task.Value = task.MaxValue;
        });
        await using var fleet = made!;
        if (fleet.Manufactured > 0)
            console.MarkupLine($"[grey][[sim]][/] manufactured {fleet.Manufactured} devices ({options.Ek} EKs) in {fleet.ManufactureTime.TotalSeconds:F1} s," +
                $" {fleet.ManufactureTime.TotalMilliseconds / fleet.Manufactured:F1} ms per device");
        var firmware = options.Firmware is { } version ? await BootAsync(fleet, version, options, cancellationToken) : null;

        await using var target = await StartTargetAsync(options, fleet, firmware, cancellationToken);
        // the devices name their tenant's enrolment scope, as an agent configured by its owner does
        if (await target.GetApiAsync(cancellationToken) is { } api)
        {
            using var client = api.CreateIotIdClient();
            fleet.EnrollmentScope = (await client.GetOwnTenantAsync(cancellationToken)).Value.EnrollmentScope;
        }
        var phaseCpu = new List<TimeSpan?>();
        var cpuAtStart = target.CpuTime;
        var generatorAtStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var startedAt = DateTimeOffset.UtcNow;
        IReadOnlyList<ScenarioReport> reports = [];
        var phases = new List<LiveProgress>();
        ScenarioContext Context(Func<LiveProgress, IProgress<DeviceOutcome>> show) => new(fleet, target)
        {
            Rate = options.Rate,
            Duration = options.Duration,
            Phase = (name, total) =>
            {
                phaseCpu.Add(target.CpuTime);
                var live = new LiveProgress(name, total, TimeProvider.System);
                lock (phases) phases.Add(live);
                return show(live);
            },
        };
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress => reports = await scenario.RunAsync(Context(live => new ProgressBarLine(progress.AddTask(live.Phase, maxValue: Math.Max(live.Total, 1)), live)), cancellationToken));
        }
        else
        {
            // a pipe or a log: the same line, written every few seconds and once when a phase ends
            using var ticker = new PeriodicTimer(ProgressInterval);
            var run = scenario.RunAsync(Context(live => live), cancellationToken);
            var written = new HashSet<LiveProgress>();
            while (await Task.WhenAny(run, ticker.WaitForNextTickAsync(cancellationToken).AsTask()) != run)
                WriteProgress(console, phases, written);
            reports = await run;
            WriteProgress(console, phases, written);
        }
        phaseCpu.Add(target.CpuTime);
        var generatorCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - generatorAtStart;
        var flows = reports.Sum(r => r.Flows);
        console.MarkupLine($"[grey][[sim]][/] generator CPU (this process, idle included{(options.ServiceProcess || options.Remote is not null ? "" : ", the in-process service included")}):" +
            $" {generatorCpu.TotalSeconds:F2} s, {generatorCpu.TotalMilliseconds / Math.Max(flows, 1):F2} ms per flow over {flows} flows");
        var setup = Setup(options, scenario, fleet, startedAt);

        var passed = true;
        for (var i = 0; i < reports.Count; i++)
        {
            // each phase's CPU when the scenario announced its phases, else the whole run's for a single report
            var (from, to) = phaseCpu.Count == reports.Count + 1 ? (phaseCpu[i], phaseCpu[i + 1]) : reports.Count == 1 ? (cpuAtStart, phaseCpu[^1]) : (null, null);
            var report = (from is { } a && to is { } b ? reports[i] with { ServiceCpuSeconds = (b - a).TotalSeconds } : reports[i]) with { Setup = setup };
            report.Print(console);
            var json = Path.Combine(options.ReportDirectory, $"{report.Scenario}.json");
            var chart = Path.ChangeExtension(json, ".png");
            report.Save(json);
            ReportChart.Save(report, chart);
            console.MarkupLine($"  report: {Markup.Escape(json)}, chart: {Markup.Escape(chart)}");
            passed &= scenario.Passed(report);
        }
        return passed ? 0 : 1;
    }

    private static async Task<IServiceTarget> StartTargetAsync(FleetOptions options, Fleet fleet, FirmwareManifest? firmware, CancellationToken cancellationToken)
    {
        if (options.Remote is { } remote)
        {
            AnsiConsole.MarkupLine($"[grey][[sim]][/] remote target {Markup.Escape(remote.ServiceUrl.ToString())} (MQTT {Markup.Escape(remote.Mqtt)}); enrolment group '{Markup.Escape(remote.Group)}'" +
                (remote.CreateGroup ? " (created, or given the fleet's manufacturer root, when it lacks it)" : " must already trust the fleet's manufacturer"));
            return await RemoteTarget.ConnectAsync(remote, fleet.Manufacturer.RootDer, cancellationToken, firmware);
        }
        if (options.ServiceProcess)
        {
            if (firmware is not null) throw new ArgumentException("--firmware works with the in-process service or a remote target, not --service-process");
            var dll = ServiceProcess.FindServiceDll()
                ?? throw new InvalidOperationException("build the service first: dotnet build provisioning/IoTIdentity.Provisioning.Host (same configuration)");
            return await ServiceProcess.StartAsync(dll, options.DataDirectory, fleet.Manufacturer.RootDer, cancellationToken);
        }
        return await ServiceTarget.StartInProcessAsync(options.DataDirectory, fleet.Manufacturer.RootDer, cancellationToken, firmware);
    }

    private static async Task<FirmwareManifest> BootAsync(Fleet fleet, string version, FleetOptions options, CancellationToken cancellationToken)
    {
        var samples = Path.Combine(options.FleetDirectory, "firmware");
        SampleReleases.WriteAll(samples);
        var release = Path.Combine(samples, $"{SampleReleases.Product}-{version}");
        if (!Directory.Exists(release)) throw new ArgumentException($"no sample release {version}: {string.Join(", ", SampleReleases.Directories)}");
        var firmware = FirmwareManifestJson.Load(Path.Combine(release, "manifest.json"));
        await fleet.BootAsync(firmware, release, cancellationToken);
        AnsiConsole.MarkupLine($"[grey][[sim]][/] every swtpm booted {Markup.Escape(firmware.Release)}");
        return firmware;
    }

    /// <summary>How often the progress line is written when the output is not a terminal.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    /// <summary>What a report records of the run's set-up.</summary>
    public static RunSetup Setup(FleetOptions options, IFleetScenario scenario, Fleet fleet, DateTimeOffset startedAt) => new(
        scenario.Name, fleet.Devices.Count, options.Rate, options.Duration?.TotalSeconds,
        options.Tpm == TpmKind.Emulated ? "emulated" : "swtpm", options.Tpm == TpmKind.Emulated ? fleet.Devices.Count : options.Swtpms,
        options.Ek.ToString().ToLowerInvariant(),
        options.Remote is { } remote ? remote.ServiceUrl.ToString() : options.ServiceProcess ? "service-process" : "in-process",
        startedAt, RunSetup.SimulatorVersion);

    private static void WriteProgress(IAnsiConsole console, List<LiveProgress> phases, HashSet<LiveProgress> finished)
    {
        List<LiveProgress> current;
        lock (phases) current = [.. phases];
        foreach (var live in current)
        {
            if (finished.Contains(live)) continue;
            if (live.Finished) finished.Add(live);
            console.WriteLine(live.Line());
        }
    }

    /// <summary>A phase's progress bar on a terminal: one step per flow, the live line as its description.</summary>
    private sealed class ProgressBarLine(ProgressTask task, LiveProgress live) : IProgress<DeviceOutcome>
    {
        private long _shown;

        public void Report(DeviceOutcome value)
        {
            live.Report(value);
            task.Increment(1);
            var now = Environment.TickCount64;
            var shown = Interlocked.Read(ref _shown);
            if ((now - shown >= 250 || live.Finished) && Interlocked.CompareExchange(ref _shown, now, shown) == shown)
                task.Description = Markup.Escape(live.Line());
        }
    }
}
