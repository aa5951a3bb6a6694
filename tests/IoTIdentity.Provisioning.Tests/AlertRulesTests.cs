using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using IoTIdentity.Provisioning.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The shipped <c>deploy/prometheus/alerts.yml</c>: valid for Prometheus (<c>promtool check rules</c>, from Debian's
/// prometheus package), and every metric its rules read is one monitoring exports.
/// </summary>
public sealed partial class AlertRulesTests
{
    private static readonly string Rules = Path.Combine(RepositoryRoot.Find(), "deploy", "prometheus", "alerts.yml");

    private static string Promtool()
    {
        var unpacked = Path.Combine(RepositoryRoot.Find(), "artifacts", "prometheus", "usr", "bin", "promtool");
        if (File.Exists(unpacked)) return unpacked;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidOperationException(
            "promtool is missing: run scripts/install-deps.sh (it unpacks promtool from Debian's prometheus package into artifacts/prometheus), or `apt-get install prometheus`.");
    }

    [Fact]
    public async Task Promtool_finds_every_rule_of_the_shipped_alerts_file_valid()
    {
        using var process = Process.Start(new ProcessStartInfo(Promtool(), ["check", "rules", Rules])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output);
        var count = int.Parse(RulesFound().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(AlertNames().Matches(await File.ReadAllTextAsync(Rules)).Count, count);
    }

    [Fact]
    public async Task Every_metric_the_rules_read_is_a_counter_monitoring_exports()
    {
        var exported = new HashSet<string>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == MonitoringMetrics.MeterName) exported.Add(instrument.Name + "_total");
            };
            listener.Start();
            using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
            _ = new MonitoringMetrics(meters.GetRequiredService<IMeterFactory>());
        }
        var read = MetricNames().Matches(await File.ReadAllTextAsync(Rules)).Select(m => m.Value).ToHashSet();
        Assert.NotEmpty(read);
        Assert.Subset(exported, read);
    }

    [GeneratedRegex(@"SUCCESS: (\d+) rules found")]
    private static partial Regex RulesFound();

    [GeneratedRegex(@"^\s*- alert:", RegexOptions.Multiline)]
    private static partial Regex AlertNames();

    [GeneratedRegex(@"\biotid_[a-z_]+_total\b")]
    private static partial Regex MetricNames();
}
