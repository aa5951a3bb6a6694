using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.WebConsole;

/// <summary>
/// What the overview page shows, read through the API: the inventory (devices by state, compliance, firmware,
/// certificates expiring soon) and the audit log of the last hours (enrolments and refusals per minute, refusals by
/// reason). An enrolment is an <c>attest</c> entry with outcome <c>issued</c>; a refusal is any outcome
/// <c>refused:&lt;reason&gt;</c>.
/// </summary>
public sealed record FleetOverview(
    IReadOnlyList<DeviceSummary> Devices, bool DevicesTruncated, DateTimeOffset Until, TimeSpan Window,
    int[] EnrolmentsPerMinute, int[] RefusalsPerMinute, IReadOnlyList<KeyValuePair<string, int>> RefusalsByReason)
{
    /// <summary>The most devices the overview reads (the inventory page pages through any number).</summary>
    public const int MaxDevices = 20_000;

    /// <summary>How far back the per-minute charts go.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(3);

    /// <summary>Certificates expiring within this are listed.</summary>
    public static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(7);

    /// <summary>Devices per lifecycle state, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByState => Count(Devices.Select(d => d.State));

    /// <summary>Devices per firmware release they last proved, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByFirmware => Count(Devices.Select(d => string.IsNullOrEmpty(d.Firmware) ? "(none)" : d.Firmware));

    /// <summary>Compliant and non-compliant active devices.</summary>
    public (int Compliant, int NonCompliant) Compliance =>
        (Devices.Count(d => d.State == "Active" && d.Compliant), Devices.Count(d => d.State == "Active" && !d.Compliant));

    /// <summary>Active devices whose certificate expires within <see cref="ExpiringWithin"/>, soonest first.</summary>
    public IReadOnlyList<DeviceSummary> ExpiringSoon => Devices
        .Where(d => d.State == "Active" && d.CertificateNotAfter is { } end && end <= Until + ExpiringWithin)
        .OrderBy(d => d.CertificateNotAfter).Take(50).ToList();

    /// <summary>Reads the overview as of <paramref name="now"/>.</summary>
    public static async Task<FleetOverview> LoadAsync(IotIdClient api, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var devices = new List<DeviceSummary>();
        var truncated = false;
        await foreach (var page in IotIdClient.AllPagesAsync(t => api.ListDevicesAsync(new DeviceFilter(), 500, t, cancellationToken), cancellationToken))
        {
            devices.AddRange(page.Value.Items);
            if (devices.Count >= MaxDevices)
            {
                truncated = page.Value.ContinuationToken is not null;
                break;
            }
        }

        var window = DefaultWindow;
        var minutes = (int)window.TotalMinutes;
        var start = now - window;
        var enrolments = new int[minutes];
        var refusals = new int[minutes];
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        var filter = new AuditFilter(From: start.ToString("O"), To: now.ToString("O"));
        await foreach (var page in IotIdClient.AllPagesAsync(t => api.QueryAuditAsync(filter, 1000, t, cancellationToken), cancellationToken))
        {
            foreach (var entry in page.Value.Items)
            {
                var minute = (int)((entry.Event.At - start).TotalMinutes);
                if (minute < 0 || minute >= minutes) continue;
                if (entry.Event.Action == "attest" && entry.Event.Outcome == "issued") enrolments[minute]++;
                else if (entry.Event.Outcome.StartsWith("refused:", StringComparison.Ordinal))
                {
                    refusals[minute]++;
                    var reason = entry.Event.Outcome["refused:".Length..];
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
            }
        }
        return new FleetOverview(devices, truncated, now, window, enrolments, refusals,
            reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).ToList());
    }

    private static List<KeyValuePair<string, int>> Count(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, g.Count()))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
}
