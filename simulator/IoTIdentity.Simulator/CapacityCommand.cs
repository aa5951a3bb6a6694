using System.Diagnostics;
using IoTIdentity.Benchmarks;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator;

/// <summary>What the capacity run uses.</summary>
/// <param name="FleetDirectory">Where the manufacturer CA is kept (emulated devices are made fresh for every step).</param>
/// <param name="DataDirectory">Under which the service gets a fresh data directory for this run.</param>
/// <param name="ReportDirectory">Where <c>capacity.json</c> and <c>capacity.png</c> go.</param>
/// <param name="StartRate">The first step's arrivals per second.</param>
/// <param name="Factor">Each ramp step's rate is the previous one's times this.</param>
/// <param name="StepSeconds">How long each step's arrivals last.</param>
/// <param name="MaxSteps">Ramp steps at most.</param>
/// <param name="MaxP99Milliseconds">A step whose end-to-end p99 exceeds this has broken the service.</param>
/// <param name="FloorSeconds">Measured time per floor case.</param>
/// <param name="FloorRuns">Timed runs per floor case (median).</param>
/// <param name="Pin">Pin the service to CPU 1 and the generator to CPU 0.</param>
/// <param name="Ek">The emulated devices' EK algorithm.</param>
/// <param name="RenewalDevices">Devices that enrol and stay connected for the renewal storm (0: no renewal storm).</param>
/// <param name="Connections">Devices connected at once and idle for the memory-per-connection figure (0: not measured).</param>
/// <param name="OtherTenants">Tenants made besides the dev tenant before the ramp, each with a group trusting another vendor's
/// root, so a first enrolment (unscoped) is resolved among that many tenants.</param>
public sealed record CapacityOptions(string FleetDirectory, string DataDirectory, string ReportDirectory, double StartRate = 20, double Factor = 1.5,
    double StepSeconds = 10, int MaxSteps = 12, double MaxP99Milliseconds = 1000, double FloorSeconds = 2, int FloorRuns = 5, bool Pin = true,
    EkAlgorithm Ek = EkAlgorithm.Ecc, int RenewalDevices = 200, int Connections = 10_000, int OtherTenants = 0);

/// <summary>
/// <c>iotid-sim capacity</c>: the service as its own process (pinned to CPU 1 with <c>--pin</c>, the generator to
/// CPU 0), emulated devices arriving open-loop at a rate ramped step by step until a step breaks (errors, p99 over the
/// limit, or the service falling behind the offered rate); then steps at 50 % and 80 % of the capacity found. Prints,
/// in one run, the primitive floor, the composite verifier floor, the service's CPU per enrolment at 50 % and at
/// saturation, the sustained rate, p50/p99 at 50 % and 80 %, and the ratios; then the same for a renewal storm on
/// devices that enrolled and stayed connected (renewals over the live connection, ramped the same way); then the
/// service's memory per idle connection with many devices connected at once. Writes JSON and a chart.
/// </summary>
public static class CapacityCommand
{
    /// <summary>Runs it; 0 when it found a capacity and both follow-up steps held.</summary>
    public static async Task<int> RunAsync(CapacityOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var report = await MeasureAsync(options, output, cancellationToken);
        return report.CapacityPerSecond > 0 && report.AtHalf is { Held: true } && report.AtEightyPercent is not null
            && (options.RenewalDevices == 0 || report.Renewals?.AtHalf is { Held: true }) ? 0 : 1;
    }

    /// <summary>Measures, prints as it goes, saves the JSON and the chart, and returns the report.</summary>
    public static async Task<CapacityReport> MeasureAsync(CapacityOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var serviceDll = ServiceProcess.FindServiceDll()
            ?? throw new InvalidOperationException("build the service first: dotnet build -c Release provisioning/IoTIdentity.Provisioning.Host (same configuration as iotid-sim)");
        if (options.Pin) BenchmarkCommand.PinThisProcess(0);
        var loadAtStart = Machine.LoadAverage();
        output.WriteLine($"IoTIdentity capacity — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine(Machine.Describe(typeof(CapacityCommand).Assembly));
        output.WriteLine($"load average at start: {loadAtStart}");

        output.WriteLine();
        output.WriteLine($"floor: single-threaded in this process, {options.FloorSeconds:0.##} s per case over {options.FloorRuns} runs, median; cpu µs/op");
        Dictionary<string, Measurement> floor;
        using (var workload = new Workload())
            floor = Harness.MeasureAll(workload.Cases.Where(c => c.Key is "ecdsa-verify" or "ecdsa-sign" or "ecdh" or "enrol-service-ecc").ToList(),
                TimeSpan.FromSeconds(options.FloorSeconds), options.FloorRuns, output);
        var primitives = floor.Where(f => f.Key != "enrol-service-ecc").ToDictionary(f => f.Key, f => f.Value.CpuMicrosPerOp);
        var primitiveFloor = 4 * primitives["ecdsa-verify"] + primitives["ecdh"] + primitives["ecdsa-sign"];
        var compositeFloor = floor["enrol-service-ecc"].CpuMicrosPerOp;
        output.WriteLine($"primitive floor per enrolment (4 verify + 1 ECDH + 1 sign): {primitiveFloor:F0} µs; composite verifier floor: {compositeFloor:F0} µs ({compositeFloor / primitiveFloor:F1}×)");
        var emulatedTpm = Emulation.EmulatedTpmCost.MeasureMicroseconds(options.Ek, 200);
        output.WriteLine($"emulated TPM alone, one enrolment's commands (this thread's CPU, median of 200 devices): {emulatedTpm:F0} µs");

        var data = Path.Combine(options.DataDirectory, $"capacity-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Ramp enrolments, renewals = Ramp.None;
        ConnectionMemory? connections = null;
        CapacityStep? enrolmentsBesideIdle = null, renewalsBesideIdle = null;
        double? perEnrolledDevice = null;
        try
        {
            using var manufacturer = Swtpm.Manufacturing.ManufacturerCa.LoadOrCreate(options.FleetDirectory, Fleet.ManufacturerShape);
            await using var service = await ServiceProcess.StartAsync(serviceDll, data, manufacturer.RootDer, cancellationToken, cpu: options.Pin ? 1 : null);
            var client = service.ClientOptions;
            if (options.OtherTenants > 0) await AddOtherTenantsAsync(service, options.OtherTenants, cancellationToken);
            output.WriteLine();
            output.WriteLine($"service: its own process{(options.Pin ? ", pinned to CPU 1 (generator on CPU 0)" : "")}; emulated {options.Ek} devices, each enrols once" +
                $" (no enrolment scope), open-loop arrivals; {options.OtherTenants} other tenants, each with a group trusting another vendor");
            Task<ScenarioReport> Enrol(string phase, double rate, int count, Action measuring) =>
                EnrolFreshAsync(phase, rate, count, options, client, measuring, cancellationToken);
            // warm-up: JIT and first grain activations, not counted
            await StepAsync("warm-up", options.StartRate, options, service, output, Enrol);
            var beforeRamp = service.WorkingSetBytes;
            enrolments = await RampAsync("", options, service, output, Enrol);
            await Task.Delay(IdleConnections.Settle, cancellationToken);
            var enrolled = enrolments.Steps.Sum(s => s.Succeeded);
            perEnrolledDevice = enrolled > 0 ? (double)(service.WorkingSetBytes - beforeRamp) / enrolled : null;

            await using var renewalFleet = options.RenewalDevices > 0 ? Fleet.CreateEmulated(options.FleetDirectory, options.RenewalDevices, options.Ek) : null;
            await using var online = renewalFleet is null ? null : new OnlineFleet(renewalFleet, client);
            Task<ScenarioReport> Renew(string phase, double rate, int count, Action measuring)
            {
                measuring();
                return online!.RenewAsync(phase, rate, count, cancellationToken);
            }
            if (online is not null)
            {
                var pool = await online.EnrolAsync("renewal-pool", Math.Max(options.StartRate, enrolments.Capacity * 0.5), null, cancellationToken);
                output.WriteLine();
                output.WriteLine($"renewal storm: {pool.Succeeded} of {options.RenewalDevices} devices enrolled and stay connected; each renewal (new AK and device key," +
                    " full attestation, signed by the current key) runs over the device's live connection");
                await StepAsync("renew warm-up", options.StartRate, options, service, output, Renew, "renewal");
                renewals = await RampAsync("renew ", options, service, output, Renew, "renewal");
            }

            if (options.Connections > 0)
            {
                await using var fleet = Fleet.CreateEmulated(options.FleetDirectory, options.Connections, options.Ek);
                output.WriteLine();
                output.WriteLine($"connections: {options.Connections} emulated devices connect (TLS, subscribed as the agent is) and stay idle");
                // a reply's cost must not grow with the devices connected: the 50 % steps again, beside the idle ones
                async Task BesideIdleAsync(int held)
                {
                    output.WriteLine($"  the 50 % steps again with the {held} idle devices connected:");
                    if (enrolments.Capacity > 0)
                        enrolmentsBesideIdle = await StepAsync("50%+idle", enrolments.Capacity * 0.5, options, service, output, Enrol);
                    if (online is not null && renewals.Capacity > 0)
                        renewalsBesideIdle = await StepAsync("renew 50%+idle", renewals.Capacity * 0.5, options, service, output, Renew, "renewal");
                }
                connections = await IdleConnections.MeasureAsync(service, client, fleet.Devices.Select(d => d.DeviceId).ToList(), 64, cancellationToken, BesideIdleAsync);
                output.WriteLine($"  held {connections.Held} of {connections.Attempted} (failed {connections.Failed}) after {connections.ConnectSeconds:F1} s;" +
                    $" service working set {Mib(connections.ServiceBytesBefore)} → {Mib(connections.ServiceBytesAfter)}," +
                    $" generator {Mib(connections.GeneratorBytesBefore)} → {Mib(connections.GeneratorBytesAfter)};" +
                    $" CPU per connect: service {connections.ServiceCpuMillisecondsPerConnection:F2} ms, generator {connections.GeneratorCpuMillisecondsPerConnection:F2} ms");
            }
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }

        var report = new CapacityReport
        {
            Machine = Machine.Describe(typeof(CapacityCommand).Assembly),
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = Machine.LoadAverage(),
            PrimitiveCpuMicroseconds = primitives,
            PrimitiveFloorMicroseconds = primitiveFloor,
            CompositeFloorMicroseconds = compositeFloor,
            EmulatedTpmMicroseconds = emulatedTpm,
            Steps = enrolments.Steps,
            CapacityPerSecond = enrolments.Capacity,
            AtHalf = enrolments.AtHalf,
            AtEightyPercent = enrolments.AtEighty,
            AtSaturation = enrolments.AtSaturation,
            Renewals = options.RenewalDevices > 0 ? renewals.ToReport(options.RenewalDevices) with { AtHalfBesideIdleConnections = renewalsBesideIdle } : null,
            Connections = connections,
            AtHalfBesideIdleConnections = enrolmentsBesideIdle,
            ServiceBytesPerEnrolledDevice = perEnrolledDevice,
            OtherTenants = options.OtherTenants,
        };
        Print(report, output);
        Directory.CreateDirectory(options.ReportDirectory);
        File.WriteAllText(Path.Combine(options.ReportDirectory, "capacity.json"), System.Text.Json.JsonSerializer.Serialize(report, ReportJson));
        CapacityChart.Save(report, Path.Combine(options.ReportDirectory, "capacity.png"));
        output.WriteLine($"report: {Path.Combine(options.ReportDirectory, "capacity.json")}, chart: {Path.Combine(options.ReportDirectory, "capacity.png")}");
        return report;
    }

    private static readonly System.Text.Json.JsonSerializerOptions ReportJson = new() { WriteIndented = true };

    /// <summary>
    /// <paramref name="count"/> tenants besides the dev tenant, made through the administrator API, each with a "default"
    /// group trusting one other vendor's root: they admit none of the fleet's devices, but every unscoped first enrolment
    /// is resolved among them.
    /// </summary>
    private static async Task AddOtherTenantsAsync(ServiceProcess service, int count, CancellationToken cancellationToken)
    {
        var admin = await service.GetAdminApiAsync(cancellationToken)
            ?? throw new InvalidOperationException("--other-tenants needs the service administrator key, which the service prints on its first start");
        using var vendor = Swtpm.Manufacturing.ManufacturerCa.Create(new Swtpm.Manufacturing.ManufacturerCaOptions { Name = "Capacity Other Vendor" });
        var root = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(vendor.RootDer).ExportCertificatePem();
        var run = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        using var adminClient = admin.CreateIotIdClient();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var created = (await adminClient.CreateTenantAsync(new Protocol.Management.CreateTenantRequest($"cap-{run}-{i:D5}", "iotid-sim capacity other tenant"), ct)).Value;
            using var owner = new ServiceApi(admin.BaseAddress, created.OwnerAdminKey).CreateIotIdClient();
            _ = (await owner.PutGroupAsync("default", new Protocol.Management.EnrollmentGroup { TrustedRootsPem = [root] }, ct)).Value;
        });
    }

    /// <summary>A ramp and its follow-up steps: the rate grows until a step breaks, then 50 % and 80 % of the capacity found.</summary>
    private sealed record Ramp(List<CapacityStep> Steps, double Capacity, CapacityStep? AtHalf, CapacityStep? AtEighty)
    {
        public static Ramp None => new([], 0, null, null);

        /// <summary>The last ramp step (the one that broke, or the last one run).</summary>
        public CapacityStep? AtSaturation => Steps.LastOrDefault(s => s.Phase.EndsWith("ramp", StringComparison.Ordinal));

        public RenewalStorm ToReport(int devices) => new()
        {
            ConnectedDevices = devices, Steps = Steps, CapacityPerSecond = Capacity, AtHalf = AtHalf, AtEightyPercent = AtEighty, AtSaturation = AtSaturation,
        };
    }

    private static async Task<Ramp> RampAsync(string prefix, CapacityOptions options, ServiceProcess service, TextWriter output,
        StepLoad run, string unit = "enrolment")
    {
        var steps = new List<CapacityStep>();
        var rate = options.StartRate;
        for (var i = 0; i < options.MaxSteps; i++, rate *= options.Factor)
        {
            var step = await StepAsync(prefix + "ramp", rate, options, service, output, run, unit);
            steps.Add(step);
            if (!step.Held) break;
        }
        var capacity = steps.Count == 0 ? 0 : steps.Max(s => s.AchievedPerSecond);
        if (capacity <= 0) return new Ramp(steps, 0, null, null);
        var half = await StepAsync(prefix + "50%", capacity * 0.5, options, service, output, run, unit);
        var eighty = await StepAsync(prefix + "80%", capacity * 0.8, options, service, output, run, unit);
        steps.Add(half);
        steps.Add(eighty);
        return new Ramp(steps, capacity, half, eighty);
    }

    /// <summary>
    /// A step's load: <paramref name="count"/> flows at <paramref name="rate"/> per second. It calls <c>measuring</c>
    /// once what it prepares for the step is ready and just before its first arrival: the step's CPU is read from then on.
    /// </summary>
    private delegate Task<ScenarioReport> StepLoad(string phase, double rate, int count, Action measuring);

    /// <summary>
    /// Fresh emulated devices, each connecting and enrolling once, arriving at <paramref name="rate"/> per second. The
    /// devices (EK pairs and EK certificates: the manufacturer's work, not the device's; and the AK and device key pairs
    /// each TPM will hand out) are made before the measured window opens, so the step's generator CPU is what the
    /// devices do while the service works.
    /// </summary>
    private static async Task<ScenarioReport> EnrolFreshAsync(string phase, double rate, int count, CapacityOptions options, EnrollmentClientOptions client,
        Action measuring, CancellationToken cancellationToken)
    {
        await using var fleet = Fleet.CreateEmulated(options.FleetDirectory, count, options.Ek, prepareEnrolmentKeys: true);
        measuring();
        var arrivals = fleet.Devices.Zip(DeviceRunner.Schedule(count, rate), (d, at) => new Arrival(d, at)).ToList();
        var (outcomes, elapsed) = await DeviceRunner.RunAsync(fleet, client, arrivals,
            (device, tpm, channel) => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel, cancellationToken), null, cancellationToken);
        return ScenarioReport.From(phase, outcomes, elapsed);
    }

    /// <summary>One step: <paramref name="run"/> at <paramref name="rate"/> per second for the step's length, with both processes' CPU read around it.</summary>
    private static async Task<CapacityStep> StepAsync(string phase, double rate, CapacityOptions options, ServiceProcess service, TextWriter output,
        StepLoad run, string unit = "enrolment")
    {
        var count = Math.Max(1, (int)Math.Round(rate * options.StepSeconds));
        TimeSpan? serviceCpu = null;
        var generatorCpu = TimeSpan.Zero;
        var report = await run(phase, rate, count, () => (serviceCpu, generatorCpu) = (service.CpuTime, Process.GetCurrentProcess().TotalProcessorTime));
        var generator = (Process.GetCurrentProcess().TotalProcessorTime - generatorCpu).TotalMilliseconds;
        var serviceUsed = service.CpuTime is { } now && serviceCpu is { } before ? (now - before).TotalMilliseconds : (double?)null;
        var endToEnd = report.Latencies.FirstOrDefault(l => l.Step == DeviceRunner.EndToEnd);
        var (p50, p99) = (endToEnd?.P50 ?? double.NaN, endToEnd?.P99 ?? double.NaN);
        var failed = report.Failed;
        // held: (almost) no errors, p99 within the limit, and the service kept up with the offered rate
        var held = failed <= report.Flows / 100 && p99 <= options.MaxP99Milliseconds && report.Throughput >= 0.9 * Math.Min(rate, count / Math.Max(options.StepSeconds, 1e-3));
        var step = new CapacityStep(phase, rate, report.Flows, report.Succeeded, failed, report.Throughput, p50, p99,
            serviceUsed / Math.Max(report.Succeeded, 1), generator / Math.Max(report.Flows, 1), held, report.Timeline.MaxBy(t => t.P99),
            [.. ScenarioReport.InStageOrder(report.Latencies)]);
        var per = unit == "enrolment" ? "enrol" : "renew";
        var worst = step.WorstSlice is { } slice ? $"  worst {slice.Seconds * 1000:F0} ms slice: p99 {slice.P99:F1} ms at {slice.StartSeconds:F1} s" : "";
        output.WriteLine($"  {phase,-12} offered {rate,7:F1}/s  achieved {step.AchievedPerSecond,7:F1}/s  p50 {p50,8:F1} ms  p99 {p99,8:F1} ms  failed {failed,4}" +
            $"  service {step.ServiceCpuMillisecondsPerEnrolment,6:F2} ms/{per}  generator {step.GeneratorCpuMillisecondsPerEnrolment,6:F2} ms/{per}  {(held ? "held" : "BROKE")}{worst}" +
            (report.Errors.Count > 0 ? $"  errors: {string.Join(", ", report.Errors.Select(e => $"{e.Key}={e.Value}"))}" : ""));
        // where the end-to-end tail is spent, for the steps the summary quotes
        if (phase.EndsWith('%') && step.Stages is { Count: > 0 } stages)
            output.WriteLine($"  {"",-12} stages p50/p99 ms: {string.Join(", ", stages.Select(l => $"{l.Step} {l.P50:F1}/{l.P99:F1}"))}");
        return step;
    }

    private static void Print(CapacityReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("summary");
        output.WriteLine($"  primitive floor: P-256 verify {report.PrimitiveCpuMicroseconds["ecdsa-verify"]:F1} µs, sign {report.PrimitiveCpuMicroseconds["ecdsa-sign"]:F1} µs, ECDH {report.PrimitiveCpuMicroseconds["ecdh"]:F1} µs" +
            $" → {report.PrimitiveFloorMicroseconds:F0} µs per enrolment");
        output.WriteLine($"  composite verifier floor: {report.CompositeFloorMicroseconds:F0} µs per enrolment ({report.CompositeToPrimitiveFloor:F1}× the primitive floor)");
        output.WriteLine($"  sustained capacity: {report.CapacityPerSecond:F1} enrolments/s");
        output.WriteLine($"  service CPU per enrolment: at 50 % {Ms(report.AtHalf?.ServiceCpuMillisecondsPerEnrolment)}, at saturation {Ms(report.AtSaturation?.ServiceCpuMillisecondsPerEnrolment)}");
        output.WriteLine($"  latency end-to-end: at 50 % p50 {Ms(report.AtHalf?.P50Milliseconds)} p99 {Ms(report.AtHalf?.P99Milliseconds)}; at 80 % p50 {Ms(report.AtEightyPercent?.P50Milliseconds)} p99 {Ms(report.AtEightyPercent?.P99Milliseconds)}");
        output.WriteLine($"  generator CPU per enrolment: at 50 % {Ms(report.AtHalf?.GeneratorCpuMillisecondsPerEnrolment)}, at saturation {Ms(report.AtSaturation?.GeneratorCpuMillisecondsPerEnrolment)}" +
            $" (of which the emulated TPM {report.EmulatedTpmMicroseconds / 1000:F2} ms; the rest MQTT, TLS, JSON)");
        output.WriteLine($"  ratios: service CPU ÷ primitive floor at 50 % {X(report.ServiceCpuAtHalfToPrimitiveFloor)}, at saturation {X(report.ServiceCpuToPrimitiveFloor)}, ÷ composite floor {X(report.ServiceCpuToCompositeFloor)}; composite ÷ primitive {report.CompositeToPrimitiveFloor:F1}×");
        if (report.Renewals is { } renewals)
        {
            output.WriteLine($"  renewal storm on {renewals.ConnectedDevices} connected devices: sustained {renewals.CapacityPerSecond:F1} renewals/s");
            output.WriteLine($"  service CPU per renewal: at 50 % {Ms(renewals.AtHalf?.ServiceCpuMillisecondsPerEnrolment)}, at saturation {Ms(renewals.AtSaturation?.ServiceCpuMillisecondsPerEnrolment)}");
            output.WriteLine($"  renewal latency: at 50 % p50 {Ms(renewals.AtHalf?.P50Milliseconds)} p99 {Ms(renewals.AtHalf?.P99Milliseconds)}; at 80 % p50 {Ms(renewals.AtEightyPercent?.P50Milliseconds)} p99 {Ms(renewals.AtEightyPercent?.P99Milliseconds)}");
            output.WriteLine($"  generator CPU per renewal: at 50 % {Ms(renewals.AtHalf?.GeneratorCpuMillisecondsPerEnrolment)}, at saturation {Ms(renewals.AtSaturation?.GeneratorCpuMillisecondsPerEnrolment)}");
            output.WriteLine($"  renewal ratios: service CPU per renewal ÷ primitive floor at 50 % {X(renewals.AtHalf?.ServiceCpuMillisecondsPerEnrolment * 1000 / report.PrimitiveFloorMicroseconds)}," +
                $" at saturation {X(renewals.AtSaturation?.ServiceCpuMillisecondsPerEnrolment * 1000 / report.PrimitiveFloorMicroseconds)}; ÷ service CPU per enrolment at 50 % {X(renewals.AtHalf?.ServiceCpuMillisecondsPerEnrolment / report.AtHalf?.ServiceCpuMillisecondsPerEnrolment)}");
        }
        output.WriteLine($"  service memory per enrolled device: {Kib(report.ServiceBytesPerEnrolledDevice)} (working-set growth over the ramp ÷ devices enrolled, whose grains left once enrolled; an upper bound)");
        if (report.Connections is { } connections)
        {
            output.WriteLine($"  memory per idle connection ({connections.Held} held at once): service {Kib(connections.ServiceBytesPerConnection)}, generator {Kib(connections.GeneratorBytesPerConnection)}");
            output.WriteLine($"  CPU per connect (TLS handshake, MQTT connect and subscribe): service {connections.ServiceCpuMillisecondsPerConnection:F2} ms, generator {connections.GeneratorCpuMillisecondsPerConnection:F2} ms");
            BesideIdle("enrolment", report.AtHalf, report.AtHalfBesideIdleConnections, connections.Held, output);
            BesideIdle("renewal", report.Renewals?.AtHalf, report.Renewals?.AtHalfBesideIdleConnections, connections.Held, output);
        }
        output.WriteLine($"  load average at end: {report.LoadAverageAtEnd}");
    }

    /// <summary>The 50 % step beside the idle connections against the one without them.</summary>
    private static void BesideIdle(string unit, CapacityStep? alone, CapacityStep? besideIdle, int held, TextWriter output)
    {
        if (besideIdle is null) return;
        output.WriteLine($"  {unit} at 50 % with {held} more devices connected and idle: service CPU per {unit} {Ms(besideIdle.ServiceCpuMillisecondsPerEnrolment)}" +
            $" ({X(besideIdle.ServiceCpuMillisecondsPerEnrolment / alone?.ServiceCpuMillisecondsPerEnrolment)} the step without them), p50 {Ms(besideIdle.P50Milliseconds)} p99 {Ms(besideIdle.P99Milliseconds)}");
    }

    private static string Ms(double? value) => value is { } v && !double.IsNaN(v) ? $"{v:F2} ms" : "n/a";

    private static string Kib(double? bytes) => bytes is { } b ? $"{b / 1024:F1} KiB" : "n/a";

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";

    private static string X(double? value) => value is { } v ? $"{v:F1}×" : "n/a";
}
