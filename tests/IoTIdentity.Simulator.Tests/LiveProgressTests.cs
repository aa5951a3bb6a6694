using System.Diagnostics;
using System.Text.Json;
using IoTIdentity.Simulator.Reporting;
using IoTIdentity.Simulator.Scenarios;

namespace IoTIdentity.Simulator.Tests;

/// <summary>The live progress line, as a pipe or a log sees it: completions, failures by reason, the current rate and latency.</summary>
public sealed class LiveProgressTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-progress-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_line_shows_completions_failures_by_reason_and_the_rate_and_latency_of_the_last_seconds()
    {
        var clock = new ManualClock();
        var live = new LiveProgress("first-boot", 10, clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        live.Report(Outcome(true, 900));   // older than the window by the time the line is read
        clock.Advance(TimeSpan.FromSeconds(6));
        foreach (var latency in new[] { 100, 200, 300, 400 }) live.Report(Outcome(true, latency));
        live.Report(Outcome(false, 0, "NotEnrolled"));
        live.Report(Outcome(false, 0, "TimeoutException"));
        live.Report(Outcome(false, 0, "NotEnrolled"));

        Assert.Equal("first-boot: 5/10 done, 3 failed (NotEnrolled 2, TimeoutException 1); now 0.8/s, p50 200 ms, p99 400 ms", live.Line());
        Assert.False(live.Finished);
    }

    [Fact]
    public void A_phase_with_nothing_completed_recently_says_so_and_a_phase_is_finished_when_every_flow_ended()
    {
        var clock = new ManualClock();
        var live = new LiveProgress("soak", 2, clock);
        live.Report(Outcome(true, 50));
        clock.Advance(TimeSpan.FromSeconds(30));
        live.Report(Outcome(false, 0, "RateLimited"));

        Assert.Equal("soak: 1/2 done, 1 failed (RateLimited 1); none completed in the last 5 s", live.Line());
        Assert.True(live.Finished);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_run_whose_output_is_a_pipe_prints_progress_lines_without_terminal_codes_and_a_report_with_its_set_up()
    {
        var reports = Path.Combine(_directory, "reports");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory,
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "iotid-sim.dll"), "first-boot", "--tpm", "emulated", "--devices", "12", "--rate", "4",
                "--fleet", Path.Combine(_directory, "fleet"), "--data", Path.Combine(_directory, "data"), "--reports", reports,
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;

        Assert.True(process.ExitCode == 0, text + await errors);
        Assert.DoesNotContain('\u001b', text);
        var lines = text.Split('\n').Where(l => l.StartsWith("first-boot: ", StringComparison.Ordinal) && l.Contains(" done, ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 2, text);   // 12 arrivals at 4/s take 3 s: a line every 2 s and one at the end
        Assert.StartsWith("first-boot: 12/12 done, 0 failed; now ", lines[^1]);
        Assert.Contains(" ms, p99 ", lines[^1]);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "first-boot.json")));
        var setup = json.RootElement.GetProperty("setup");
        Assert.Equal("first-boot", setup.GetProperty("scenario").GetString());
        Assert.Equal(12, setup.GetProperty("devices").GetInt32());
        Assert.Equal(4, setup.GetProperty("rate").GetDouble());
        Assert.Equal("emulated", setup.GetProperty("tpmKind").GetString());
        Assert.Equal(12, setup.GetProperty("tpmCount").GetInt32());
        Assert.Equal("in-process", setup.GetProperty("target").GetString());
        Assert.Equal(12, json.RootElement.GetProperty("flows").GetInt32());
    }

    private static DeviceOutcome Outcome(bool succeeded, double endToEnd, string? error = null) =>
        new("d", succeeded, error, 0, new Dictionary<string, double> { [DeviceRunner.EndToEnd] = endToEnd });

    /// <summary>A clock the test moves.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
