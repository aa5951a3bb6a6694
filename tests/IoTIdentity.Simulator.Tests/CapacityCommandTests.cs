namespace IoTIdentity.Simulator.Tests;

/// <summary>The capacity run, end to end with tiny numbers: it proves the command works and prints every figure, not how fast anything is.</summary>
public sealed class CapacityCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-capacity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 240_000)]
    public async Task The_capacity_run_prints_the_floors_the_capacity_latency_CPU_and_ratios_and_saves_json_and_a_chart()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        var output = new StringWriter();
        var options = new CapacityOptions(Path.Combine(_directory, "fleet"), Path.Combine(_directory, "data"), Path.Combine(_directory, "reports"),
            StartRate: 4, Factor: 2, StepSeconds: 1, MaxSteps: 2, FloorSeconds: 0.05, FloorRuns: 1, Pin: false);

        var report = await CapacityCommand.MeasureAsync(options, output, timeout.Token);

        Assert.True(report.PrimitiveFloorMicroseconds > 0);
        Assert.True(report.CompositeFloorMicroseconds > 0);
        Assert.True(report.CapacityPerSecond > 0);
        Assert.NotNull(report.AtHalf);
        Assert.NotNull(report.AtEightyPercent);
        Assert.All(report.Steps, s => Assert.True(s.ServiceCpuMillisecondsPerEnrolment is not null, "the service's CPU is read from its process"));
        var printed = output.ToString();
        foreach (var figure in new[]
                 {
                     "primitive floor: P-256 verify", "composite verifier floor", "sustained capacity", "service CPU per enrolment: at 50 %",
                     "at saturation", "latency end-to-end: at 50 % p50", "at 80 % p50", "generator CPU per enrolment", "of which the emulated TPM", "ratios: service CPU ÷ primitive floor",
                 })
            Assert.Contains(figure, printed);
        Assert.DoesNotContain("n/a", printed);
        Assert.True(File.Exists(Path.Combine(_directory, "reports", "capacity.json")));
        Assert.True(File.Exists(Path.Combine(_directory, "reports", "capacity.png")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_directory, "data")));
    }
}
