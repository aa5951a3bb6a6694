using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The report's charts, drawn with ScottPlot from the report alone (so they are as deterministic as the data): devices
/// per lifecycle state, and certificates issued, renewed and revoked and requests refused per day. HTML embeds them as
/// SVG, the PDF as PNG.
/// </summary>
public static partial class ComplianceCharts
{
    /// <summary>A chart's size in pixels.</summary>
    public const int Width = 900, Height = 360;

    /// <summary>Devices per lifecycle state, as bars.</summary>
    public static Plot Inventory(ComplianceReport report)
    {
        var plot = new Plot();
        plot.Title($"Devices by state ({report.DeviceCount} in all)");
        var bars = plot.Add.Bars(report.Inventory.Select(c => (double)c.Count).ToArray());
        bars.Color = Colors.SteelBlue;
        Label(plot, report.Inventory.Select(c => c.Name).ToArray());
        plot.Axes.Left.Label.Text = "devices";
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    /// <summary>Certificates issued, renewed, revoked and requests refused per UTC day of the period, as lines.</summary>
    public static Plot Activity(ComplianceReport report)
    {
        var plot = new Plot();
        plot.Title("Certificates and refusals per day (UTC)");
        double[] xs = [.. Enumerable.Range(0, report.Days.Count).Select(i => (double)i)];
        foreach (var (label, read, color) in new (string, Func<ReportDay, int>, Color)[]
        {
            ("issued", d => d.Issued, Colors.Green), ("renewed", d => d.Renewed, Colors.Blue),
            ("revoked", d => d.Revoked, Colors.Red), ("refused", d => d.Refused, Colors.Orange),
        })
        {
            var line = plot.Add.Scatter(xs, report.Days.Select(d => (double)read(d)).ToArray());
            line.LegendText = label;
            line.Color = color;
            line.LineWidth = 2;
        }
        var every = Math.Max(1, report.Days.Count / 10);
        Label(plot, [.. report.Days.Select((d, i) => i % every == 0 ? d.Day.ToString("MM-dd", CultureInfo.InvariantCulture) : "")]);
        plot.Axes.Left.Label.Text = "per day";
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>
    /// The chart as SVG markup. Skia numbers clip paths from a process-wide counter; they are renumbered here in order of
    /// appearance under <paramref name="prefix"/>, so the markup depends on the chart alone and ids stay unique in a page.
    /// </summary>
    public static string Svg(Plot plot, string prefix)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        return ClipId().Replace(plot.GetSvgXml(Width, Height), m =>
        {
            if (!ids.TryGetValue(m.Value, out var id)) ids[m.Value] = id = $"{prefix}-clip-{ids.Count.ToString(CultureInfo.InvariantCulture)}";
            return id;
        });
    }

    [GeneratedRegex("cl_[0-9a-f]+")]
    private static partial Regex ClipId();

    /// <summary>The chart as PNG bytes.</summary>
    public static byte[] Png(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);

    private static void Label(Plot plot, string[] labels)
    {
        var positions = Enumerable.Range(0, labels.Length).Select(i => (double)i).Where(i => labels[(int)i].Length > 0).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. labels.Where(l => l.Length > 0)]);
    }
}
