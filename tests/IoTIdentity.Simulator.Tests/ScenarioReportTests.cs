using System.Text.Json;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>What a report says about a run, checked over many made-up runs: figures that agree and slices that fit any length.</summary>
public sealed class ScenarioReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-report-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_average_throughput_is_never_above_the_peak_and_the_slices_cover_the_run_for_any_run_length()
    {
        var random = new Random(19);
        for (var run = 0; run < 500; run++)
        {
            // from a 20 ms burst to a ten-hour soak, with completions anywhere in the run, some failed
            var elapsed = TimeSpan.FromSeconds(Math.Pow(10, random.NextDouble() * 6.3 - 1.7));
            var outcomes = Outcomes(random, random.Next(1, 400), elapsed);

            var report = ScenarioReport.From("run", outcomes, elapsed);

            Assert.True(report.Throughput <= report.PeakThroughput + 1e-9, $"run {run}: average {report.Throughput} above peak {report.PeakThroughput} over {elapsed}");
            Assert.InRange(report.Timeline.Count, TimelineBucket.MinimumCount, TimelineBucket.MaximumCount);
            Assert.True(Math.Abs(elapsed.TotalSeconds - report.Timeline.Sum(t => t.Seconds)) <= 1e-9 * Math.Max(1, elapsed.TotalSeconds), $"run {run}");
            Assert.Equal(report.Succeeded, report.Timeline.Sum(t => t.Completed));
            Assert.Equal(report.Failed, report.Timeline.Sum(t => t.Failed));
            Assert.All(report.Timeline, t => Assert.Equal(t.Completed / t.Seconds, t.CompletedPerSecond, 9));
        }
    }

    [Fact]
    public void An_even_spread_never_puts_the_average_above_the_peak_not_even_by_rounding()
    {
        // arrivals at a fixed rate fill every slice alike: the peak is the average, and must not come out a bit below it
        var random = new Random(20261204);
        for (var run = 0; run < 500; run++)
        {
            var elapsed = TimeSpan.FromSeconds(0.5 + random.NextDouble() * 20);
            var slices = TimelineBucket.CountFor(elapsed);
            var perSlice = random.Next(1, 5);
            var width = elapsed.TotalSeconds / slices;
            var outcomes = Enumerable.Range(0, slices * perSlice).Select(i => Outcome($"device-{i}", true, (i / perSlice + 0.5) * width, 50)).ToList();

            var report = ScenarioReport.From("run", outcomes, elapsed);

            Assert.True(report.Throughput <= report.PeakThroughput, $"run {run}: average {report.Throughput:R} above peak {report.PeakThroughput:R} over {elapsed}");
        }
    }

    [Theory]
    [InlineData(0.4, 0.02)]
    [InlineData(2, 0.1)]
    [InlineData(45, 1)]
    [InlineData(3600, 12)]
    public void A_short_run_gets_sub_second_slices_and_a_long_one_at_most_the_maximum_count(double seconds, double slice)
    {
        var report = ScenarioReport.From("run", Outcomes(new Random(1), 30, TimeSpan.FromSeconds(seconds)), TimeSpan.FromSeconds(seconds));

        Assert.All(report.Timeline, t => Assert.Equal(slice, t.Seconds, 9));
    }

    [Fact]
    public void Devices_count_devices_and_flows_count_every_turn()
    {
        // a soak's pattern: two devices taking three turns each, one turn failing
        var outcomes = Enumerable.Range(0, 6).Select(i => Outcome($"device-{i % 2}", i != 4, i * 0.1, 50)).ToList();

        var report = ScenarioReport.From("soak", outcomes, TimeSpan.FromSeconds(1));

        Assert.Equal(2, report.Devices);
        Assert.Equal(6, report.Flows);
        Assert.Equal(5, report.Succeeded);
        Assert.Equal(1, report.Failed);
    }

    [Theory]
    [InlineData(900, 1000, true)]
    [InlineData(600, 1000, true)]
    [InlineData(400, 1000, false)]
    [InlineData(0, 1000, false)]
    public void A_run_whose_devices_mostly_waited_for_a_TPM_warns_that_the_generator_set_the_pace(double wait, double endToEnd, bool warns)
    {
        var outcomes = Enumerable.Range(0, 10).Select(i => Outcome($"d{i}", true, i * 0.1, endToEnd, wait)).ToList();

        var report = ScenarioReport.From("first-boot", outcomes, TimeSpan.FromSeconds(1));

        Assert.Equal(warns, report.Warnings.Any(w => w.Contains("generator", StringComparison.Ordinal) && w.Contains("--swtpms", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_JSON_report_records_the_set_up_in_the_APIs_camelCase_and_says_service_CPU_includes_idle_time()
    {
        var setup = new RunSetup("soak", 20, 5, 60, "swtpm", 2, "ecc", "in-process", DateTimeOffset.Parse("2026-12-03T05:00:00Z"), RunSetup.SimulatorVersion);
        var report = ScenarioReport.From("soak", Outcomes(new Random(2), 40, TimeSpan.FromSeconds(8)), TimeSpan.FromSeconds(8)) with
        {
            Setup = setup,
            ServiceCpuSeconds = 1.5,
        };
        var path = Path.Combine(_directory, "soak.json");

        report.Save(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var saved = root.GetProperty("setup");
        Assert.Equal("soak", saved.GetProperty("scenario").GetString());
        Assert.Equal(20, saved.GetProperty("devices").GetInt32());
        Assert.Equal(5, saved.GetProperty("rate").GetDouble());
        Assert.Equal("swtpm", saved.GetProperty("tpmKind").GetString());
        Assert.Equal(2, saved.GetProperty("tpmCount").GetInt32());
        Assert.Equal("in-process", saved.GetProperty("target").GetString());
        Assert.Equal(setup.StartedAt, saved.GetProperty("startedAt").GetDateTimeOffset());
        Assert.False(string.IsNullOrEmpty(saved.GetProperty("version").GetString()));
        Assert.Equal(report.Flows, root.GetProperty("flows").GetInt32());
        Assert.Equal(report.Devices, root.GetProperty("devices").GetInt32());
        Assert.Equal(report.PeakThroughput, root.GetProperty("peakThroughput").GetDouble());
        Assert.True(root.GetProperty("serviceCpuIncludesIdle").GetBoolean());
        Assert.True(root.GetProperty("timeline")[0].TryGetProperty("completedPerSecond", out _));
        Assert.All(root.EnumerateObject(), p => Assert.True(char.IsLower(p.Name[0]), p.Name));
    }

    [Fact]
    public void The_chart_draws_failures()
    {
        var failing = ScenarioReport.From("run", Outcomes(new Random(3), 60, TimeSpan.FromSeconds(3)), TimeSpan.FromSeconds(3));
        Assert.True(failing.Failed > 0);
        // the same report with the failures left out of its timeline: only the failure line can tell the two apart
        var unmarked = failing with { Timeline = failing.Timeline.Select(t => t with { Failed = 0 }).ToList() };

        Assert.NotEqual(Pixels(unmarked, "unmarked.png"), Pixels(failing, "failing.png"));
        Assert.Equal(Pixels(unmarked, "unmarked-again.png"), Pixels(unmarked, "unmarked.png"));
    }

    private byte[] Pixels(ScenarioReport report, string name)
    {
        var path = Path.Combine(_directory, name);
        ReportChart.Save(report, path);
        return File.ReadAllBytes(path);
    }

    private static List<DeviceOutcome> Outcomes(Random random, int count, TimeSpan elapsed) =>
        Enumerable.Range(0, count).Select(i => Outcome($"d{i}", random.NextDouble() > 0.1, random.NextDouble() * elapsed.TotalSeconds, 10 + random.NextDouble() * 500)).ToList();

    private static DeviceOutcome Outcome(string device, bool succeeded, double at, double endToEnd, double wait = 0) =>
        new(device, succeeded, succeeded ? null : "TimeoutException", at,
            new Dictionary<string, double> { [DeviceRunner.EndToEnd] = endToEnd, [DeviceRunner.Wait] = wait });
}
