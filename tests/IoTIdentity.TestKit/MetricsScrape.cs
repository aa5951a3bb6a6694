using System.Globalization;

namespace IoTIdentity.TestKit;

/// <summary>Reads a counter from the service's Prometheus endpoint, as an operator's scraper would.</summary>
public static class MetricsScrape
{
    /// <summary>
    /// The sum of <paramref name="metric"/>'s series carrying every one of <paramref name="labels"/> (<c>name="value"</c>)
    /// at <c>/metrics</c> of <paramref name="service"/>. The exporter caches a scrape briefly, so a zero is read again a few
    /// times before it is answered.
    /// </summary>
    public static async Task<double> SumAsync(Uri service, string metric, params string[] labels)
    {
        var sum = 0d;
        for (var attempt = 0; attempt < 20 && sum == 0; attempt++)
        {
            if (attempt > 0) await Task.Delay(500);
            sum = await ReadAsync(service, metric, labels);
        }
        return sum;
    }

    /// <summary>One scrape of <paramref name="service"/>'s <c>/metrics</c>: the sum of <paramref name="metric"/>'s series
    /// carrying every one of <paramref name="labels"/> (<c>name="value"</c>), 0 when there is none.</summary>
    public static async Task<double> ReadAsync(Uri service, string metric, params string[] labels)
    {
        using var scraper = new HttpClient { BaseAddress = service };
        return (await scraper.GetStringAsync("/metrics")).Split('\n')
            .Where(l => (l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
                && labels.All(label => l.Contains(label, StringComparison.Ordinal)))
            .Sum(l => double.Parse((l[metric.Length] == '{' ? l[(l.LastIndexOf('}') + 1)..] : l[metric.Length..]).Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }
}
