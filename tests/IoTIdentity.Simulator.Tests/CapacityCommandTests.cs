namespace IoTIdentity.Simulator.Tests;

/// <summary>The capacity run, end to end with tiny numbers: it proves the command works and prints every figure, not how fast anything is.</summary>
public sealed class CapacityCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-capacity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 240_000)]
    public async Task The_capacity_run_prints_the_floors_the_capacity_latency_CPU_and_ratios_the_renewal_storm_memory_per_connection_and_the_50_percent_steps_beside_idle_connections_and_saves_json_and_a_chart()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        var output = new StringWriter();
        var options = new CapacityOptions(Path.Combine(_directory, "fleet"), Path.Combine(_directory, "data"), Path.Combine(_directory, "reports"),
            StartRate: 4, Factor: 2, StepSeconds: 1, MaxSteps: 2, FloorSeconds: 0.05, FloorRuns: 1, Pin: false, RenewalDevices: 3, Connections: 20,
            OtherTenants: 3);

        var report = await CapacityCommand.MeasureAsync(options, output, timeout.Token);

        Assert.True(report.PrimitiveFloorMicroseconds > 0);
        Assert.True(report.CompositeFloorMicroseconds > 0);
        Assert.True(report.CapacityPerSecond > 0);
        Assert.NotNull(report.AtHalf);
        Assert.NotNull(report.AtEightyPercent);
        Assert.All(report.Steps, s => Assert.True(s.ServiceCpuMillisecondsPerEnrolment is not null, "the service's CPU is read from its process"));
        // the other tenants trust another vendor: the fleet's unscoped devices are still the dev tenant's alone
        Assert.Equal(3, report.OtherTenants);
        Assert.All(report.Steps, s => Assert.Equal(0, s.Failed));
        // each step names its slowest slice, and a step's p99 is never above its slowest slice's (at least 1 % of the step's
        // completions lie at or above the step's p99, so some slice holds at least 1 % of its own there)
        Assert.All(report.Steps, s => Assert.True(s.WorstSlice is { } w && w.P99 >= s.P99Milliseconds, $"{s.Phase}: worst slice {s.WorstSlice}, p99 {s.P99Milliseconds}"));
        // each step's stages: every flow's connect and round trips, and the end-to-end stage is the step's own latency
        Assert.All(report.Steps, s => AssertStages(s, "connect", "register", "attest"));
        Assert.NotNull(report.Renewals);
        Assert.All(report.Renewals.Steps, s => AssertStages(s, "register", "attest"));
        Assert.True(report.Renewals.CapacityPerSecond > 0);
        Assert.NotNull(report.Renewals.AtHalf);
        Assert.All(report.Renewals.Steps, s => Assert.Equal(0, s.Failed));
        Assert.Equal(20, report.Connections?.Held);
        // the 50 % steps again beside the idle connections: the same work, with more devices connected
        Assert.Equal(0, report.AtHalfBesideIdleConnections?.Failed);
        Assert.Equal(0, report.Renewals.AtHalfBesideIdleConnections?.Failed);
        var printed = output.ToString();
        foreach (var figure in new[]
                 {
                     "primitive floor: P-256 verify", "composite verifier floor", "sustained capacity", "service CPU per enrolment: at 50 %",
                     "at saturation", "latency end-to-end: at 50 % p50", "at 80 % p50", "generator CPU per enrolment", "of which the emulated TPM", "ratios: service CPU ÷ primitive floor",
                     "renewal storm on 3 connected devices", "renewals/s", "service CPU per renewal: at 50 %", "renewal latency: at 50 % p50", "generator CPU per renewal",
                     "renewal ratios", "service memory per enrolled device", "slice: p99", "stages p50/p99 ms: connect", "3 other tenants, each with a group trusting another vendor", "memory per idle connection (20 held at once): service", "CPU per connect (TLS handshake",
                     "enrolment at 50 % with 20 more devices connected and idle: service CPU per enrolment", "renewal at 50 % with 20 more devices connected and idle: service CPU per renewal",
                 })
            Assert.Contains(figure, printed);
        Assert.DoesNotContain("n/a", printed);
        // the stages under each step the summary quotes: enrolments and renewals at 50 % and at 80 %
        Assert.Equal(4, printed.Split('\n').Count(l => l.Contains("stages p50/p99 ms:", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(_directory, "reports", "capacity.json")));
        Assert.True(File.Exists(Path.Combine(_directory, "reports", "capacity.png")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_directory, "data")));
    }

    private static void AssertStages(Reporting.CapacityStep step, params string[] stages)
    {
        var timed = step.Stages!.ToDictionary(l => l.Step);
        foreach (var stage in stages) Assert.True(timed.TryGetValue(stage, out var l) && l.Count == step.Succeeded, $"{step.Phase}: {stage} of {step.Succeeded} flows");
        Assert.Equal(step.P99Milliseconds, timed[Scenarios.DeviceRunner.EndToEnd].P99);
        Assert.Equal(Scenarios.DeviceRunner.EndToEnd, step.Stages![^1].Step);   // in the order the stages happen
    }
}
