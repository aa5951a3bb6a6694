namespace IoTIdentity.Simulator.Tests;

/// <summary>The one-run benchmark, end to end with tiny numbers: it proves the command works, not how fast anything is.</summary>
public sealed class BenchmarkCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-benchmark-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 240_000)]
    public async Task The_benchmark_measures_the_floor_and_the_service_and_prints_their_ratio()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(230));
        var output = new StringWriter();
        var options = new BenchmarkOptions(Devices: 4, Swtpms: 2, Path.Combine(_directory, "fleet"), Path.Combine(_directory, "data"),
            Path.Combine(_directory, "reports"), FloorSeconds: 0.05, FloorRuns: 1);

        var result = await BenchmarkCommand.MeasureAsync(options, output, timeout.Token);

        Assert.Equal(4, result.FirstBoot.Succeeded);
        Assert.Equal(4, result.Rotation.Succeeded);
        Assert.True(result.FloorCpuMicroseconds > 0);
        Assert.True(result.Rotation.ServiceCpuSeconds > 0, "the service's CPU is read from its process");
        Assert.True(double.IsFinite(result.Ratio) && result.Ratio > 0);
        var printed = output.ToString();
        Assert.Contains("full enrolment + CSR + certificate", printed);
        Assert.Contains("summary: service CPU per warm enrolment", printed);
        Assert.True(File.Exists(Path.Combine(_directory, "reports", "benchmark-rotation-storm.json")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_directory, "data")));
    }

    [Fact]
    public async Task The_benchmark_refuses_a_service_environment_setting_without_a_value()
    {
        var options = new BenchmarkOptions(4, 2, Path.Combine(_directory, "fleet"), Path.Combine(_directory, "data"), Path.Combine(_directory, "reports"),
            ServiceEnvironment: ["DOTNET_gcServer"]);

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => BenchmarkCommand.MeasureAsync(options, TextWriter.Null, CancellationToken.None));

        Assert.Contains("NAME=value", refusal.Message);
    }
}
