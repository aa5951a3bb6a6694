using ScottPlot;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// Draws a capacity run: per step, by offered rate, the end-to-end p50 and p99 latency (left axis) and the service's
/// CPU per enrolment (right axis); the capacity found is a vertical line. A renewal storm adds the same series for
/// renewals (dashed).
/// </summary>
public static class CapacityChart
{
    /// <summary>Writes the chart of <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Save(CapacityReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var steps = report.Steps.OrderBy(s => s.OfferedPerSecond).ToList();
        var offered = steps.Select(s => s.OfferedPerSecond).ToArray();
        var plot = new Plot();
        plot.Title($"capacity {report.CapacityPerSecond:F0} enrolments/s; floors: primitive {report.PrimitiveFloorMicroseconds / 1000:F2} ms, composite {report.CompositeFloorMicroseconds / 1000:F2} ms");
        foreach (var (label, values) in new[] { ("p50 end-to-end (ms)", steps.Select(s => s.P50Milliseconds)), ("p99 end-to-end (ms)", steps.Select(s => s.P99Milliseconds)) })
            plot.Add.Scatter(offered, values.ToArray()).LegendText = label;
        var cpu = plot.Add.Scatter(offered, steps.Select(s => s.ServiceCpuMillisecondsPerEnrolment ?? double.NaN).ToArray());
        cpu.LegendText = "service CPU per enrolment (ms)";
        cpu.Axes.YAxis = plot.Axes.Right;
        var achieved = plot.Add.Scatter(offered, steps.Select(s => s.AchievedPerSecond).ToArray());
        achieved.LegendText = "achieved enrolments/s";
        achieved.Axes.YAxis = plot.Axes.Right;
        plot.Add.VerticalLine(report.CapacityPerSecond).LegendText = "capacity";
        if (report.Renewals is { Steps.Count: > 0 } renewals)
        {
            var renewalSteps = renewals.Steps.OrderBy(s => s.OfferedPerSecond).ToList();
            var renewalOffered = renewalSteps.Select(s => s.OfferedPerSecond).ToArray();
            foreach (var (label, values, right) in new[]
                     {
                         ("renewal p50 (ms)", renewalSteps.Select(s => s.P50Milliseconds), false),
                         ("renewal p99 (ms)", renewalSteps.Select(s => s.P99Milliseconds), false),
                         ("service CPU per renewal (ms)", renewalSteps.Select(s => s.ServiceCpuMillisecondsPerEnrolment ?? double.NaN), true),
                     })
            {
                var series = plot.Add.Scatter(renewalOffered, values.ToArray());
                series.LegendText = label;
                series.LinePattern = LinePattern.Dashed;
                if (right) series.Axes.YAxis = plot.Axes.Right;
            }
        }
        plot.Axes.Bottom.Label.Text = "offered enrolments (renewals) per second (open loop)";
        plot.Axes.Left.Label.Text = "latency (ms)";
        plot.Axes.Right.Label.Text = "service CPU ms per enrolment or renewal / achieved per s";
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 500);
    }
}
