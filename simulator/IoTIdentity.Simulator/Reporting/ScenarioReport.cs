using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>One device's outcome in a scenario.</summary>
public sealed record DeviceOutcome(string DeviceId, bool Succeeded, string? Error, double CompletedAtSeconds, IReadOnlyDictionary<string, double> StepMilliseconds);

/// <summary>Latency percentiles of one protocol step.</summary>
public sealed record StepLatency(string Step, int Count, double P50, double P95, double P99, double Max);

/// <summary>
/// What a scenario phase measured: how it was set up, flows and devices, throughput (average and peak), per-step
/// latency percentiles, errors by reason, the service's CPU, throughput and latency over time, and warnings about
/// what limited the run.
/// </summary>
public sealed record ScenarioReport
{
    /// <summary>How the run was set up (null for a phase run outside the <c>iotid-sim</c> command).</summary>
    public RunSetup? Setup { get; init; }
    /// <summary>The phase name.</summary>
    public required string Scenario { get; init; }
    /// <summary>Distinct devices that ran at least one flow.</summary>
    public required int Devices { get; init; }
    /// <summary>Device flows run: one per device, or in a soak one per turn (a device takes many turns).</summary>
    public required int Flows { get; init; }
    /// <summary>Flows that ended as expected.</summary>
    public required int Succeeded { get; init; }
    /// <summary>Flows that did not.</summary>
    public int Failed => Flows - Succeeded;
    /// <summary>Wall time of the phase.</summary>
    public required double ElapsedSeconds { get; init; }
    /// <summary>Successful flows per second over the whole phase.</summary>
    public required double Throughput { get; init; }
    /// <summary>The highest completion rate of one <see cref="Timeline"/> slice; never below <see cref="Throughput"/>.</summary>
    public required double PeakThroughput { get; init; }
    /// <summary>Latency percentiles per step (milliseconds).</summary>
    public required IReadOnlyList<StepLatency> Latencies { get; init; }
    /// <summary>Refusals and failures by reason.</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    /// <summary>CPU seconds the service process used during the phase (when it ran as its own process), idle time included.</summary>
    public double? ServiceCpuSeconds { get; init; }

    /// <summary>Service CPU milliseconds per successful flow (when measured); the service's idle CPU during the phase is included.</summary>
    public double? ServiceCpuMillisecondsPerFlow => ServiceCpuSeconds is { } cpu && Succeeded > 0 ? cpu * 1000 / Succeeded : null;

    /// <summary>True when <see cref="ServiceCpuSeconds"/> is known: it is the process's CPU over the phase, idle included.</summary>
    public bool? ServiceCpuIncludesIdle => ServiceCpuSeconds is null ? null : true;

    /// <summary>Throughput and latency over time: equal slices covering the phase (sub-second for short runs).</summary>
    public required IReadOnlyList<TimelineBucket> Timeline { get; init; }

    /// <summary>What limited the run other than the service, e.g. devices waiting for the generator's TPMs.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The findings the service opened for the phase's misbehaviours (the adversarial detection phase); null elsewhere.</summary>
    public IReadOnlyList<DetectedFinding>? Findings { get; init; }

    /// <summary>Share of end-to-end time spent in <c>wait</c> above which the generator, not the service, set the pace.</summary>
    public const double GeneratorBoundWaitShare = 0.5;

    /// <summary>Builds the report from device outcomes.</summary>
    public static ScenarioReport From(string scenario, IReadOnlyList<DeviceOutcome> outcomes, TimeSpan elapsed)
    {
        var steps = outcomes.Where(o => o.Succeeded).SelectMany(o => o.StepMilliseconds).GroupBy(p => p.Key)
            .Select(g => Percentiles(g.Key, g.Select(p => p.Value).Order().ToList())).ToList();
        var wall = Math.Max(elapsed.TotalSeconds, 1e-3);
        var count = TimelineBucket.CountFor(elapsed);
        var width = wall / count;
        var bySlice = outcomes.ToLookup(o => Math.Clamp((int)(o.CompletedAtSeconds / width), 0, count - 1));
        var timeline = Enumerable.Range(0, count).Select(slice =>
        {
            var completed = bySlice[slice].Where(o => o.Succeeded).ToList();
            var latencies = completed.Select(o => o.StepMilliseconds.GetValueOrDefault(Scenarios.DeviceRunner.EndToEnd)).Order().ToList();
            // completed × count ÷ wall, not completed ÷ width: the same division as Throughput's, so an even spread gives
            // a peak equal to the average to the last bit (÷ width rounded it below the average now and then)
            return new TimelineBucket(slice * width, width, completed.Count, bySlice[slice].Count(o => !o.Succeeded), (double)(completed.Count * count) / wall,
                latencies.Count == 0 ? 0 : At(latencies, 0.50), latencies.Count == 0 ? 0 : At(latencies, 0.99));
        }).ToList();
        var succeeded = outcomes.Count(o => o.Succeeded);
        return new ScenarioReport
        {
            Scenario = scenario,
            Devices = outcomes.Select(o => o.DeviceId).Distinct(StringComparer.Ordinal).Count(),
            Flows = outcomes.Count,
            Succeeded = succeeded,
            ElapsedSeconds = elapsed.TotalSeconds,
            Throughput = succeeded / wall,
            PeakThroughput = timeline.Max(t => t.CompletedPerSecond),
            Latencies = steps,
            Errors = outcomes.Where(o => o.Error is not null).GroupBy(o => o.Error!).ToDictionary(g => g.Key, g => g.Count()),
            Timeline = timeline,
            Warnings = GeneratorWarnings(outcomes),
        };
    }

    /// <summary>
    /// Warns when successful flows spent more than <see cref="GeneratorBoundWaitShare"/> of their end-to-end time in
    /// <c>wait</c> (arrival until the device's TPM was free): then the generator's TPMs, not the service, set the pace.
    /// </summary>
    private static IReadOnlyList<string> GeneratorWarnings(IReadOnlyList<DeviceOutcome> outcomes)
    {
        var timed = outcomes.Where(o => o.Succeeded && o.StepMilliseconds.ContainsKey(Scenarios.DeviceRunner.EndToEnd)).ToList();
        var total = timed.Sum(o => o.StepMilliseconds[Scenarios.DeviceRunner.EndToEnd]);
        var waiting = timed.Sum(o => o.StepMilliseconds.GetValueOrDefault(Scenarios.DeviceRunner.Wait));
        if (total <= 0 || waiting / total <= GeneratorBoundWaitShare) return [];
        return [$"the generator, not the service, limited this run: devices spent {waiting / total:P0} of their end-to-end time waiting" +
            " for a TPM of the simulator (step 'wait'); add swtpm processes (--swtpms) or use --tpm emulated to load the service"];
    }

    private static StepLatency Percentiles(string step, List<double> sorted) =>
        new(step, sorted.Count, At(sorted, 0.50), At(sorted, 0.95), At(sorted, 0.99), sorted[^1]);

    /// <summary>The <paramref name="q"/> quantile (nearest rank) of ascending <paramref name="sorted"/>.</summary>
    internal static double At(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The summary line and a table of the steps' latencies, the service's CPU and the errors by reason.</summary>
    public void Print(IAnsiConsole console)
    {
        var ok = Succeeded == Flows ? "green" : "red";
        var slice = Timeline.Count > 0 ? Timeline[0].Seconds : ElapsedSeconds;
        console.MarkupLine($"[bold]{Markup.Escape(Scenario)}[/]: [{ok}]{Succeeded}/{Flows}[/] flows as expected ({Devices} devices) in {ElapsedSeconds:F1} s;" +
            $" {Throughput:F1}/s on average, peak {PeakThroughput:F1}/s (over {slice * 1000:F0} ms slices)");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("step");
        foreach (var column in new[] { "n", "p50 ms", "p95 ms", "p99 ms", "max ms" }) table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var l in InStageOrder(Latencies))
            table.AddRow(Markup.Escape(l.Step), $"{l.Count}", $"{l.P50:F1}", $"{l.P95:F1}", $"{l.P99:F1}", $"{l.Max:F1}");
        console.Write(table);
        if (ServiceCpuSeconds is { } cpu)
            console.MarkupLine($"  service CPU: {cpu:F2} s over the phase (idle included), {ServiceCpuMillisecondsPerFlow:F2} ms per successful flow");
        if (Findings is { Count: > 0 } findings)
        {
            var detected = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "misbehaviour", "finding", "kind", "severity", "action", "devices", "audit links", "s to finding", "webhook" }) detected.AddColumn(column);
            foreach (var f in findings)
                detected.AddRow(Markup.Escape(f.Misbehaviour), f.FindingId, f.Kind, f.Severity, f.Remediation, $"{f.Devices.Count}", $"{f.AuditEntries}",
                    $"{f.SecondsToFinding:F1}", Markup.Escape(f.Webhook));
            console.Write(detected);
            foreach (var f in findings)
                console.MarkupLine($"  {f.FindingId} evidence: {Markup.Escape(string.Join(", ", f.Evidence.Select(e => $"{e.Key}={Shorten(e.Value)}")))}");
        }
        foreach (var (error, count) in Errors) console.MarkupLine($"  [red]error[/] {Markup.Escape(error)}: {count}");
        foreach (var warning in Warnings) console.MarkupLine($"  [yellow]warning[/] {Markup.Escape(warning)}");
    }

    private static string Shorten(string value) => value.Length > 20 ? value[..16] + "…" : value;

    /// <summary><paramref name="latencies"/> in the order a flow's timed stages happen, unknown stages last.</summary>
    public static IEnumerable<StepLatency> InStageOrder(IEnumerable<StepLatency> latencies) =>
        latencies.OrderBy(l => Array.IndexOf(StageOrder, l.Step) is var i and >= 0 ? i : StageOrder.Length);

    private static readonly string[] StageOrder =
    [
        Scenarios.DeviceRunner.Connect, Scenarios.DeviceRunner.Wait, "prepare", "register", "activate", "quote", "device-key", "csr", "attest", "total",
        Scenarios.DeviceRunner.EndToEnd,
    ];

    /// <summary>Writes the report as indented JSON, in the management API's camelCase.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
