using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>One device's outcome in a scenario.</summary>
public sealed record DeviceOutcome(string DeviceId, bool Succeeded, string? Error, double CompletedAtSeconds, IReadOnlyDictionary<string, double> StepMilliseconds);

/// <summary>Latency percentiles of one protocol step.</summary>
public sealed record StepLatency(string Step, int Count, double P50, double P95, double P99, double Max);

/// <summary>
/// One second of a scenario: flows that completed and that failed in it, and the end-to-end latency percentiles
/// (arrival until done, milliseconds) of the ones that completed; 0 when none did.
/// </summary>
public sealed record TimelineSecond(int Second, int Completed, int Failed, double P50, double P99);

/// <summary>What a scenario measured: throughput, per-step latency percentiles, errors by reason, throughput and latency over time.</summary>
public sealed record ScenarioReport
{
    /// <summary>The scenario name.</summary>
    public required string Scenario { get; init; }
    /// <summary>Device flows in the scenario: one per device, or in a soak one per turn.</summary>
    public required int Devices { get; init; }
    /// <summary>Flows that ended as expected.</summary>
    public required int Succeeded { get; init; }
    /// <summary>Wall time of the scenario.</summary>
    public required double ElapsedSeconds { get; init; }
    /// <summary>Successful enrolments per second over the whole run.</summary>
    public required double Throughput { get; init; }
    /// <summary>Latency percentiles per step (milliseconds).</summary>
    public required IReadOnlyList<StepLatency> Latencies { get; init; }
    /// <summary>Refusals and failures by reason.</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    /// <summary>CPU seconds the service process used during the scenario (when it ran as its own process).</summary>
    public double? ServiceCpuSeconds { get; init; }

    /// <summary>Service CPU milliseconds per successful device (when measured).</summary>
    public double? ServiceCpuMillisecondsPerDevice => ServiceCpuSeconds is { } cpu && Succeeded > 0 ? cpu * 1000 / Succeeded : null;

    /// <summary>Throughput and latency over time, one entry per second of the run.</summary>
    public required IReadOnlyList<TimelineSecond> Timeline { get; init; }

    /// <summary>Builds the report from device outcomes.</summary>
    public static ScenarioReport From(string scenario, IReadOnlyList<DeviceOutcome> outcomes, TimeSpan elapsed)
    {
        var steps = outcomes.Where(o => o.Succeeded).SelectMany(o => o.StepMilliseconds).GroupBy(p => p.Key)
            .Select(g => Percentiles(g.Key, g.Select(p => p.Value).Order().ToList())).ToList();
        var seconds = Math.Max((int)Math.Ceiling(elapsed.TotalSeconds), 1);
        var bySecond = outcomes.ToLookup(o => Math.Min((int)o.CompletedAtSeconds, seconds - 1));
        var timeline = Enumerable.Range(0, seconds).Select(second =>
        {
            var completed = bySecond[second].Where(o => o.Succeeded).ToList();
            var latencies = completed.Select(o => o.StepMilliseconds.GetValueOrDefault(Scenarios.DeviceRunner.EndToEnd)).Order().ToList();
            return new TimelineSecond(second, completed.Count, bySecond[second].Count(o => !o.Succeeded),
                latencies.Count == 0 ? 0 : At(latencies, 0.50), latencies.Count == 0 ? 0 : At(latencies, 0.99));
        }).ToList();
        var succeeded = outcomes.Count(o => o.Succeeded);
        return new ScenarioReport
        {
            Scenario = scenario,
            Devices = outcomes.Count,
            Succeeded = succeeded,
            ElapsedSeconds = elapsed.TotalSeconds,
            Throughput = succeeded / Math.Max(elapsed.TotalSeconds, 1e-9),
            Latencies = steps,
            Errors = outcomes.Where(o => o.Error is not null).GroupBy(o => o.Error!).ToDictionary(g => g.Key, g => g.Count()),
            Timeline = timeline,
        };
    }

    private static StepLatency Percentiles(string step, List<double> sorted) =>
        new(step, sorted.Count, At(sorted, 0.50), At(sorted, 0.95), At(sorted, 0.99), sorted[^1]);

    private static double At(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The summary line and a table of the steps' latencies, the service's CPU and the errors by reason.</summary>
    public void Print(IAnsiConsole console)
    {
        var ok = Succeeded == Devices ? "green" : "red";
        console.MarkupLine($"[bold]{Markup.Escape(Scenario)}[/]: [{ok}]{Succeeded}/{Devices}[/] as expected in {ElapsedSeconds:F1} s, {Throughput:F1}/s" +
            $" (peak {Timeline.Max(t => t.Completed)}/s)");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("step");
        foreach (var column in new[] { "n", "p50 ms", "p95 ms", "p99 ms", "max ms" }) table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var l in Latencies.OrderBy(l => StepOrder.IndexOf(l.Step) is var i and >= 0 ? i : StepOrder.Count))
            table.AddRow(Markup.Escape(l.Step), $"{l.Count}", $"{l.P50:F1}", $"{l.P95:F1}", $"{l.P99:F1}", $"{l.Max:F1}");
        console.Write(table);
        if (ServiceCpuSeconds is { } cpu)
            console.MarkupLine($"  service CPU: {cpu:F2} s, {ServiceCpuMillisecondsPerDevice:F2} ms per device");
        foreach (var (error, count) in Errors) console.MarkupLine($"  [red]error[/] {Markup.Escape(error)}: {count}");
    }

    private static readonly List<string> StepOrder =
    [
        Scenarios.DeviceRunner.Connect, Scenarios.DeviceRunner.Wait, "prepare", "register", "activate", "quote", "device-key", "csr", "attest", "total",
        Scenarios.DeviceRunner.EndToEnd,
    ];

    /// <summary>Writes the report as indented JSON.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
