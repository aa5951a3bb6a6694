using ScottPlot;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// Draws a report's timeline as a PNG: completions and failures per second (left axis) and the end-to-end p50 and p99
/// latency (right axis) of each slice of the run, at the slice's middle; slices are sub-second for short runs.
/// </summary>
public static class ReportChart
{
    /// <summary>Writes the chart of <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Save(ScenarioReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var middles = report.Timeline.Select(t => t.StartSeconds + t.Seconds / 2).ToArray();
        var slice = report.Timeline.Count > 0 ? report.Timeline[0].Seconds : report.ElapsedSeconds;
        var plot = new Plot();
        plot.Title($"{report.Scenario}: {report.Succeeded}/{report.Flows} flows in {report.ElapsedSeconds:F1} s," +
            $" {report.Throughput:F1}/s average, {report.PeakThroughput:F1}/s peak");
        var completed = plot.Add.Scatter(middles, report.Timeline.Select(t => t.CompletedPerSecond).ToArray());
        completed.LegendText = "completed per second";
        completed.Color = Colors.Blue;
        if (report.Timeline.Any(t => t.Failed > 0))
        {
            var failed = plot.Add.Scatter(middles, report.Timeline.Select(t => t.Failed / t.Seconds).ToArray());
            failed.LegendText = $"failed per second ({report.Timeline.Sum(t => t.Failed)} in all)";
            failed.Color = Colors.Red;
            failed.LineWidth = 2;
        }
        // a slice without completions has no latency: its points are left out rather than drawn as zero
        var timed = report.Timeline.Where(t => t.Completed > 0).ToList();
        var timedMiddles = timed.Select(t => t.StartSeconds + t.Seconds / 2).ToArray();
        foreach (var (label, values, color) in new[]
        {
            ("p50 latency (ms)", timed.Select(t => t.P50).ToArray(), Colors.Green),
            ("p99 latency (ms)", timed.Select(t => t.P99).ToArray(), Colors.Orange),
        })
        {
            if (values.Length == 0) continue;
            var line = plot.Add.Scatter(timedMiddles, values);
            line.LegendText = label;
            line.Color = color;
            line.Axes.YAxis = plot.Axes.Right;
        }
        plot.Axes.Bottom.Label.Text = $"seconds since the phase started ({slice * 1000:F0} ms slices)";
        plot.Axes.Left.Label.Text = "flows per second";
        plot.Axes.Right.Label.Text = "end-to-end latency (ms)";
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 500);
    }
}
