using ScottPlot;
using ScottPlot.TickGenerators;

namespace IoTIdentity.Simulator.Reporting;

/// <summary>
/// Draws a capacity run as three panels over the offered rate, each on its own scale so that none hides another:
/// the end-to-end p50 and p99 latency (log scale: a broken step's seconds and a held step's milliseconds both read);
/// the service's and the generator's CPU per enrolment beside the primitive and composite floors measured in the same
/// run; and the achieved rate against the offered one. The capacity found is a vertical line in each panel, and the
/// 80 % step's rate a dotted one. A renewal storm adds the same series for renewals (dashed).
/// </summary>
public static class CapacityChart
{
    /// <summary>Writes the chart of <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Save(CapacityReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var enrolments = Series.Of(report.Steps);
        var renewals = report.Renewals is { Steps.Count: > 0 } storm ? Series.Of(storm.Steps) : null;

        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        var (latency, cpu, rates) = (multiplot.GetPlot(0), multiplot.GetPlot(1), multiplot.GetPlot(2));

        latency.Title($"capacity {report.CapacityPerSecond:F0} enrolments/s" +
            (report.Renewals is { } r ? $", {r.CapacityPerSecond:F0} renewals/s" : "") +
            $"; floors: primitive {report.PrimitiveFloorMicroseconds / 1000:F2} ms, composite {report.CompositeFloorMicroseconds / 1000:F2} ms");
        Line(latency, enrolments.Offered, Log(enrolments.P50), "enrolment p50", LinePattern.Solid);
        Line(latency, enrolments.Offered, Log(enrolments.P99), "enrolment p99", LinePattern.Solid);
        if (renewals is not null)
        {
            Line(latency, renewals.Offered, Log(renewals.P50), "renewal p50", LinePattern.Dashed);
            Line(latency, renewals.Offered, Log(renewals.P99), "renewal p99", LinePattern.Dashed);
        }
        latency.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"{Math.Pow(10, y):N0}",
        };
        latency.Axes.Left.Label.Text = "latency (ms, log)";

        Line(cpu, enrolments.Offered, enrolments.ServiceCpu, "service CPU per enrolment", LinePattern.Solid);
        Line(cpu, enrolments.Offered, enrolments.GeneratorCpu, "generator CPU per enrolment", LinePattern.Dotted);
        if (renewals is not null) Line(cpu, renewals.Offered, renewals.ServiceCpu, "service CPU per renewal", LinePattern.Dashed);
        Floor(cpu, report.PrimitiveFloorMicroseconds / 1000, "primitive floor", LinePattern.Dashed);
        Floor(cpu, report.CompositeFloorMicroseconds / 1000, "composite floor", LinePattern.Dotted);
        cpu.Axes.Left.Label.Text = "CPU (ms per operation)";
        cpu.Axes.SetLimitsY(0, Math.Max(1, enrolments.ServiceCpu.Concat(enrolments.GeneratorCpu).Where(double.IsFinite).DefaultIfEmpty(1).Max() * 1.1));

        Line(rates, enrolments.Offered, enrolments.Achieved, "achieved enrolments/s", LinePattern.Solid);
        if (renewals is not null) Line(rates, renewals.Offered, renewals.Achieved, "achieved renewals/s", LinePattern.Dashed);
        var most = enrolments.Offered.Concat(renewals?.Offered ?? []).DefaultIfEmpty(1).Max();
        var offered = rates.Add.Line(0, 0, most, most);
        offered.LegendText = "offered";
        offered.LinePattern = LinePattern.Dotted;
        offered.Color = Colors.Gray;
        rates.Axes.Left.Label.Text = "per second";
        rates.Axes.Bottom.Label.Text = "offered enrolments (renewals) per second, open loop";

        foreach (var plot in new[] { latency, cpu, rates })
        {
            plot.Add.VerticalLine(report.CapacityPerSecond, color: Colors.Purple).LegendText = "capacity";
            if (report.AtEightyPercent is { } eighty)
            {
                var line = plot.Add.VerticalLine(eighty.OfferedPerSecond, color: Colors.Purple);
                line.LinePattern = LinePattern.Dotted;
                line.LegendText = "80 % step";
            }
            plot.Axes.SetLimitsX(0, most * 1.05);
            // the same left margin in every panel, so that their offered-rate axes line up
            plot.Axes.Left.MinimumSize = plot.Axes.Left.MaximumSize = 90;
            // CPU per operation falls as the rate rises (more work per wake-up); latency and rates rise
            plot.ShowLegend(plot == cpu ? Alignment.UpperRight : Alignment.UpperLeft);
        }
        multiplot.SavePng(path, 1000, 1200);
    }

    private static void Line(Plot plot, double[] xs, double[] ys, string label, LinePattern pattern)
    {
        var series = plot.Add.Scatter(xs, ys);
        series.LegendText = label;
        series.LinePattern = pattern;
    }

    private static void Floor(Plot plot, double milliseconds, string label, LinePattern pattern)
    {
        var line = plot.Add.HorizontalLine(milliseconds, color: Colors.Black);
        line.LinePattern = pattern;
        line.LegendText = $"{label} {milliseconds:F2} ms";
    }

    /// <summary>Latencies on the log axis (log10 of milliseconds; the axis labels them back).</summary>
    private static double[] Log(double[] milliseconds) => [.. milliseconds.Select(m => double.IsFinite(m) ? Math.Log10(Math.Max(m, 0.1)) : double.NaN)];

    /// <summary>A ramp's steps as columns, by offered rate.</summary>
    private sealed record Series(double[] Offered, double[] P50, double[] P99, double[] ServiceCpu, double[] GeneratorCpu, double[] Achieved)
    {
        public static Series Of(IEnumerable<CapacityStep> steps)
        {
            var sorted = steps.OrderBy(s => s.OfferedPerSecond).ToList();
            return new([.. sorted.Select(s => s.OfferedPerSecond)], [.. sorted.Select(s => s.P50Milliseconds)], [.. sorted.Select(s => s.P99Milliseconds)],
                [.. sorted.Select(s => s.ServiceCpuMillisecondsPerEnrolment ?? double.NaN)], [.. sorted.Select(s => s.GeneratorCpuMillisecondsPerEnrolment)],
                [.. sorted.Select(s => s.AchievedPerSecond)]);
        }
    }
}
