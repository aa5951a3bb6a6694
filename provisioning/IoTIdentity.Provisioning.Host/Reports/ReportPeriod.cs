using System.Globalization;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>A report's period: from (inclusive) to (exclusive), in UTC, at most <see cref="MaxDays"/> days long.</summary>
public sealed record ReportPeriod(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The longest period one report covers (a leap year).</summary>
    public const int MaxDays = 366;

    /// <summary>
    /// Reads <paramref name="from"/> and <paramref name="to"/> (ISO 8601; a time without an offset is UTC). Null with
    /// <paramref name="problem"/> saying what is wrong when either is missing or unreadable, <c>from</c> is not before
    /// <c>to</c>, or the period is longer than <see cref="MaxDays"/> days.
    /// </summary>
    public static ReportPeriod? TryParse(string? from, string? to, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
        {
            problem = "from and to are both required (ISO 8601 times, e.g. from=2026-11-01&to=2026-12-01)";
            return null;
        }
        if (!TryTime(from, out var start)) problem = $"from '{from}' is not an ISO 8601 time";
        else if (!TryTime(to, out var end)) problem = $"to '{to}' is not an ISO 8601 time";
        else if (start >= end) problem = $"from ({start:O}) must be before to ({end:O})";
        else if (end - start > TimeSpan.FromDays(MaxDays)) problem = $"the period is {(end - start).TotalDays:0.#} days; a report covers at most {MaxDays}";
        else return new ReportPeriod(start, end);
        return null;
    }

    /// <summary>Whether <paramref name="at"/> falls in the period.</summary>
    public bool Contains(DateTimeOffset at) => at >= From && at < To;

    /// <summary>The UTC days the period touches, in order.</summary>
    public IEnumerable<DateOnly> Days()
    {
        var last = DateOnly.FromDateTime((To - TimeSpan.FromTicks(1)).UtcDateTime);
        for (var day = DateOnly.FromDateTime(From.UtcDateTime); day <= last; day = day.AddDays(1)) yield return day;
    }

    private static bool TryTime(string text, out DateTimeOffset time)
    {
        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        time = time.ToUniversalTime();
        return ok;
    }
}
