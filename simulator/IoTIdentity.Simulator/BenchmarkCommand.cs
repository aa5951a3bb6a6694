using Spectre.Console;
using System.Diagnostics;
using System.Globalization;
using IoTIdentity.Benchmarks;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator;

/// <summary>What the benchmark runs with.</summary>
/// <param name="Devices">Fleet size for the service part.</param>
/// <param name="Swtpms">swtpm processes serving the fleet (how many enrolments can be in flight at once).</param>
/// <param name="FleetDirectory">Where the manufactured fleet is kept (reused by later runs).</param>
/// <param name="DataDirectory">Under which the service gets a fresh data directory for this run.</param>
/// <param name="ReportDirectory">Where the scenario reports go as JSON.</param>
/// <param name="FloorSeconds">Measured time per floor case, split over <paramref name="FloorRuns"/>.</param>
/// <param name="FloorRuns">Timed runs per floor case; the median is reported.</param>
/// <param name="Pin">Pin the service to logical CPU 1 and this process with its swtpm processes to CPU 0.</param>
/// <param name="ServiceEnvironment">Environment variables for the service process (NAME=value), for runtime experiments.</param>
public sealed record BenchmarkOptions(int Devices, int Swtpms, string FleetDirectory, string DataDirectory, string ReportDirectory,
    double FloorSeconds = 2, int FloorRuns = 5, bool Pin = false, IReadOnlyList<string>? ServiceEnvironment = null);

/// <summary>What one benchmark run measured.</summary>
/// <param name="FloorCpuMicroseconds">Thread CPU µs of one enrolment's crypto alone (verifier, CSR, certificate).</param>
/// <param name="FirstBoot">The first-boot scenario (cold grains, JIT warming up), with the service's CPU.</param>
/// <param name="Rotation">The rotation storm (warm), with the service's CPU: the headline figure.</param>
public sealed record BenchmarkResult(double FloorCpuMicroseconds, ScenarioReport FirstBoot, ScenarioReport Rotation)
{
    /// <summary>Service CPU per warm enrolment ÷ the crypto floor.</summary>
    public double Ratio => Rotation.ServiceCpuMillisecondsPerFlow is { } cpu ? cpu * 1000 / FloorCpuMicroseconds : double.NaN;
}

/// <summary>
/// <c>iotid-sim benchmark</c>: in one run, (a) the crypto floor of one enrolment — the benchmark project's cases for
/// EK certificate validation, MakeCredential, quote and certify verification, the CSR check and certificate
/// issuance, measured single-threaded in this process — and (b) the service's CPU per full enrolment under load
/// (MQTT, Orleans, verification, issuance, durable write) with the service as its own process and its CPU read from
/// the operating system; then the ratio of the two.
/// </summary>
public static class BenchmarkCommand
{
    /// <summary>Runs the benchmark and prints its summary; 0 when every device enrolled and renewed.</summary>
    public static async Task<int> RunAsync(BenchmarkOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            var result = await MeasureAsync(options, output, cancellationToken);
            return result.FirstBoot.Succeeded == result.FirstBoot.Flows && result.Rotation.Succeeded == result.Rotation.Flows ? 0 : 1;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            // the scenarios connect every device before they start: on an overloaded machine the service may drop some
            output.WriteLine($"benchmark failed: a device could not connect ({e.Message}); the machine is too loaded " +
                $"(load average {Machine.LoadAverage()}) for {options.Devices} simultaneous TLS connections — try fewer --devices");
            return 1;
        }
    }

    /// <summary>Runs the benchmark, prints as it goes, and returns what it measured.</summary>
    public static async Task<BenchmarkResult> MeasureAsync(BenchmarkOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var environment = ParseEnvironment(options.ServiceEnvironment ?? []);
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("build the service first: dotnet build -c Release provisioning/IoTIdentity.Provisioning.Host (same configuration as iotid-sim)");
        SwtpmTools.RequireAll();
        if (options.Pin) PinThisProcess(0);

        output.WriteLine($"IoTIdentity enrolment benchmark — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine(Machine.Describe(typeof(BenchmarkCommand).Assembly));
        output.WriteLine($"load average at start: {Machine.LoadAverage()}");

        // (a) the floor: what one enrolment's cryptography costs when nothing else runs around it
        output.WriteLine();
        output.WriteLine($"(a) crypto floor: single-threaded, {options.FloorSeconds:0.##} s per case over {options.FloorRuns} runs, median; cpu µs/op = this thread's CPU time");
        double floor;
        using (var workload = new Workload())
        {
            var cases = workload.Cases.Where(c => Workload.ServiceFloorKeys.Contains(c.Key)).ToList();
            var measured = Harness.MeasureAll(cases, TimeSpan.FromSeconds(options.FloorSeconds), options.FloorRuns, output);
            floor = measured["enrol-service-ecc"].CpuMicrosPerOp;
        }

        // (b) the service under load
        output.WriteLine();
        output.WriteLine($"(b) service: {options.Devices} devices on {options.Swtpms} swtpm processes; the service in its own process" +
            (options.Pin ? ", pinned to CPU 1 (the simulator and its swtpms to CPU 0)" : "") +
            (environment.Count > 0 ? $", environment {string.Join(' ', options.ServiceEnvironment!)}" : ""));
        await using var fleet = await Fleet.LoadOrManufactureAsync(options.FleetDirectory, options.Devices, options.Swtpms, cancellationToken);
        var data = Path.Combine(options.DataDirectory, $"benchmark-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        ScenarioReport firstBoot, rotation;
        try
        {
            await using (var service = await ServiceProcess.StartAsync(serviceDll, data, fleet.Manufacturer.RootDer, cancellationToken, environment: environment, cpu: options.Pin ? 1 : null))
            {
                var client = service.ClientOptions;
                var (cpu, load) = (service.CpuTime, Machine.LoadAverage());
                var (boot, results) = await FleetScenarios.FirstBootAsync(fleet, client, cancellationToken);
                firstBoot = boot with { ServiceCpuSeconds = (service.CpuTime - cpu)!.Value.TotalSeconds };
                Print(firstBoot, "cold: first activation of every grain, JIT warming up", load, floor, output);
                Save(firstBoot, options);

                (cpu, load) = (service.CpuTime, Machine.LoadAverage());
                var generator = Process.GetCurrentProcess().TotalProcessorTime;
                rotation = await FleetScenarios.RotationStormAsync(fleet, client, results, cancellationToken);
                rotation = rotation with { ServiceCpuSeconds = (service.CpuTime - cpu)!.Value.TotalSeconds };
                Print(rotation, "warm: every device renews (register signed by its key, full attestation, new certificate)", load, floor, output);
                output.WriteLine($"  simulator CPU (MQTT clients, TPM commands; the swtpms' own work not counted): " +
                    $"{(Process.GetCurrentProcess().TotalProcessorTime - generator).TotalMilliseconds / Math.Max(rotation.Succeeded, 1):F2} ms per device");
                Save(rotation, options);
            }
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }

        var result = new BenchmarkResult(floor, firstBoot, rotation);
        var perDevice = rotation.ServiceCpuMillisecondsPerFlow ?? double.NaN;
        output.WriteLine();
        output.WriteLine($"summary: service CPU per warm enrolment {perDevice:F2} ms ÷ crypto floor {floor / 1000:F2} ms = {result.Ratio:F1}× " +
            $"(target ≤ 1.5×); load average at end: {Machine.LoadAverage()}");
        output.WriteLine($"  one core at this cost: ≤ {1000 / perDevice:N0} enrolments/s; {Environment.ProcessorCount} cores: ≤ {Environment.ProcessorCount * 1000 / perDevice:N0}/s; " +
            $"at the floor one core would do {1e6 / floor:N0}/s");
        output.WriteLine($"  achieved (limited by {options.Swtpms} swtpm processes): {rotation.Throughput:F1}/s, p99 {P99(rotation):F1} ms");
        return result;
    }

    private static void Print(ScenarioReport report, string what, string load, double floorMicros, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{report.Scenario} ({what}); load average at start: {load}");
        report.Print(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }));
        if (report.ServiceCpuMillisecondsPerFlow is { } cpu)
            output.WriteLine($"  = {cpu * 1000 / floorMicros:F1}× the crypto floor");
    }

    private static double P99(ScenarioReport report) => report.Latencies.FirstOrDefault(l => l.Step == "total")?.P99 ?? double.NaN;

    private static void Save(ScenarioReport report, BenchmarkOptions options) =>
        report.Save(Path.Combine(options.ReportDirectory, $"benchmark-{report.Scenario}.json"));

    private static Dictionary<string, string> ParseEnvironment(IReadOnlyList<string> settings)
    {
        var environment = new Dictionary<string, string>();
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"'{setting}' is not NAME=value", nameof(settings));
            environment[setting[..equals]] = setting[(equals + 1)..];
        }
        return environment;
    }

    /// <summary>Every thread of this process (and what it starts later) on one logical CPU.</summary>
    internal static void PinThisProcess(int cpu)
    {
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-c", "-p", cpu.ToString(CultureInfo.InvariantCulture), Environment.ProcessId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("could not start taskset (util-linux)");
        taskset.WaitForExit();
        if (taskset.ExitCode != 0) throw new InvalidOperationException($"taskset exited with {taskset.ExitCode}");
    }
}
