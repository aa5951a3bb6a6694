using ScottPlot;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// Draws a report's timeline as a PNG: completions per second (left axis) and the end-to-end p50 and p99 latency of
/// each second (right axis) over the seconds of the run.
/// </summary>
public static class ReportChart
{
    /// <summary>Writes the chart of <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Save(ScenarioReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var seconds = report.Timeline.Select(t => (double)t.Second).ToArray();
        var plot = new Plot();
        plot.Title($"{report.Scenario}: {report.Succeeded}/{report.Devices} in {report.ElapsedSeconds:F1} s");
        var throughput = plot.Add.Scatter(seconds, report.Timeline.Select(t => (double)t.Completed).ToArray());
        throughput.LegendText = "completed per second";
        foreach (var (label, values) in new[] { ("p50 latency (ms)", report.Timeline.Select(t => t.P50)), ("p99 latency (ms)", report.Timeline.Select(t => t.P99)) })
        {
            var line = plot.Add.Scatter(seconds, values.ToArray());
            line.LegendText = label;
            line.Axes.YAxis = plot.Axes.Right;
        }
        plot.Axes.Bottom.Label.Text = "seconds since the scenario started";
        plot.Axes.Left.Label.Text = "completed per second";
        plot.Axes.Right.Label.Text = "end-to-end latency (ms)";
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 500);
    }
}
