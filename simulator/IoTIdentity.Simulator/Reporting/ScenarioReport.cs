using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>One device's outcome in a scenario.</summary>
public sealed record DeviceOutcome(string DeviceId, bool Succeeded, string? Error, double CompletedAtSeconds, IReadOnlyDictionary<string, double> StepMilliseconds);

/// <summary>Latency percentiles of one protocol step.</summary>
public sealed record StepLatency(string Step, int Count, double P50, double P95, double P99, double Max);

/// <summary>What a scenario measured: throughput, per-step latency percentiles, errors by reason, throughput over time.</summary>
public sealed record ScenarioReport
{
    /// <summary>The scenario name.</summary>
    public required string Scenario { get; init; }
    /// <summary>Devices that took part.</summary>
    public required int Devices { get; init; }
    /// <summary>Devices that ended as expected.</summary>
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

    /// <summary>Completions per second, one entry per second of the run.</summary>
    public required IReadOnlyList<int> CompletionsPerSecond { get; init; }

    /// <summary>Builds the report from device outcomes.</summary>
    public static ScenarioReport From(string scenario, IReadOnlyList<DeviceOutcome> outcomes, TimeSpan elapsed)
    {
        var steps = outcomes.Where(o => o.Succeeded).SelectMany(o => o.StepMilliseconds).GroupBy(p => p.Key)
            .Select(g => Percentiles(g.Key, g.Select(p => p.Value).Order().ToList())).ToList();
        var seconds = (int)Math.Ceiling(elapsed.TotalSeconds);
        var perSecond = new int[Math.Max(seconds, 1)];
        foreach (var o in outcomes.Where(o => o.Succeeded)) perSecond[Math.Min((int)o.CompletedAtSeconds, perSecond.Length - 1)]++;
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
            CompletionsPerSecond = perSecond,
        };
    }

    private static StepLatency Percentiles(string step, List<double> sorted)
    {
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        return new StepLatency(step, sorted.Count, At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    /// <summary>A readable table.</summary>
    public void Print(TextWriter output)
    {
        output.WriteLine($"scenario {Scenario}: {Succeeded}/{Devices} as expected in {ElapsedSeconds:F1} s, {Throughput:F1}/s");
        output.WriteLine($"  {"step",-12} {"n",6} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"max ms",9}");
        foreach (var l in Latencies.OrderBy(l => l.Step == "total" ? 1 : 0))
            output.WriteLine($"  {l.Step,-12} {l.Count,6} {l.P50,9:F1} {l.P95,9:F1} {l.P99,9:F1} {l.Max,9:F1}");
        if (ServiceCpuSeconds is { } cpu)
            output.WriteLine($"  service CPU: {cpu:F2} s, {ServiceCpuMillisecondsPerDevice:F2} ms per device");
        foreach (var (error, count) in Errors) output.WriteLine($"  error {error}: {count}");
    }

    /// <summary>Writes the report as indented JSON.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
