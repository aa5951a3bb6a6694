using System.Globalization;
using IoTIdentity.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Grains.Audit;

/// <summary>
/// Keeps anonymous senders from flooding an audit log: refusals of devices that hold no certificate, and their
/// accepted registers, are counted per log, source (the sender's IPv4 address or IPv6 /64; the device id when the edge
/// passes no address), operation and outcome in windows of <see cref="ProvisioningOptions.RefusalAuditInterval"/>. The first
/// <see cref="ProvisioningOptions.RefusalAuditIndividualLimit"/> of a window are audited one by one as before; the
/// rest become one entry per window with their count, the first and last time, and up to ten of the device ids.
/// At most <see cref="MaxWindows"/> windows are open at once; sources beyond that share the source <c>overflow</c>.
/// </summary>
public sealed partial class RefusalAggregator : IAsyncDisposable
{
    /// <summary>How many (log, source, operation, reason) windows are open at once before sources are pooled.</summary>
    public const int MaxWindows = 10_000;

    private const int DevicesShown = 10;

    private readonly Dictionary<WindowKey, Window> _windows = [];
    private readonly AuditTrail _audit;
    private readonly TimeProvider _clock;
    private readonly ILogger<RefusalAggregator> _logger;
    private readonly TimeSpan _interval;
    private readonly int _individualLimit;
    private readonly ITimer _flusher;

    public RefusalAggregator(AuditTrail audit, TimeProvider clock, IOptions<ProvisioningOptions> options, ILogger<RefusalAggregator> logger)
    {
        (_audit, _clock, _logger) = (audit, clock, logger);
        _interval = options.Value.RefusalAuditInterval;
        _individualLimit = options.Value.RefusalAuditIndividualLimit;
        _flusher = clock.CreateTimer(_ => _ = FlushAsync(expiredOnly: true), null, _interval, _interval);
    }

    /// <summary>
    /// Counts a refusal; true when it should be audited on its own (within the window's individual allowance), false
    /// when it was counted into the window's aggregated entry instead.
    /// </summary>
    public bool ShouldAuditIndividually(string log, string? remoteAddress, string deviceId, string operation, ProvisioningError reason) =>
        ShouldAuditIndividually(log, remoteAddress, deviceId, operation, $"refused:{reason}");

    /// <summary>
    /// Counts an anonymous request's <paramref name="outcome"/> (an accepted register's <c>challenged</c>, or
    /// <c>refused:{reason}</c>); true when it should be audited on its own, false when it was counted into the
    /// window's aggregated entry instead.
    /// </summary>
    public bool ShouldAuditIndividually(string log, string? remoteAddress, string deviceId, string operation, string outcome)
    {
        var now = _clock.GetUtcNow();
        lock (_windows)
        {
            var key = new WindowKey(log, SourceOf(remoteAddress, deviceId), operation, outcome);
            if (!_windows.TryGetValue(key, out var window) && _windows.Count >= MaxWindows) key = key with { Source = "overflow" };
            if (!_windows.TryGetValue(key, out window)) _windows[key] = window = new Window(now);
            window.Count++;
            if (window.Count <= _individualLimit) return true;
            window.Suppressed++;
            window.Last = now;
            if (window.Devices.Count < DevicesShown && !window.Devices.Contains(deviceId)) window.Devices.Add(deviceId);
            return false;
        }
    }

    /// <summary>Writes the aggregated entry of every window that counted requests beyond its allowance (all windows, or only ended ones) and closes them.</summary>
    public async Task FlushAsync(bool expiredOnly = false)
    {
        var now = _clock.GetUtcNow();
        List<KeyValuePair<WindowKey, Window>> closing;
        lock (_windows)
        {
            closing = _windows.Where(w => !expiredOnly || now - w.Value.Start >= _interval).ToList();
            foreach (var (key, _) in closing) _windows.Remove(key);
        }
        foreach (var (key, window) in closing.Where(w => w.Value.Suppressed > 0))
        {
            try
            {
                await _audit.RecordAsync(key.Log, key.Operation, key.Source, key.Outcome, [], "anonymous", new Dictionary<string, string>
                {
                    ["aggregated"] = window.Suppressed.ToString(CultureInfo.InvariantCulture),
                    ["first"] = window.Start.ToString("O", CultureInfo.InvariantCulture),
                    ["last"] = window.Last.ToString("O", CultureInfo.InvariantCulture),
                    ["devices"] = string.Join(' ', window.Devices.Order(StringComparer.Ordinal)),
                });
            }
            catch (Exception e) when (StorageFaults.IsStorageFault(e))
            {
                FlushFailed(_logger, e, key.Log, window.Suppressed);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _flusher.DisposeAsync();
        await FlushAsync();
    }

    /// <summary>The source refusals are counted under: the IPv4 address, the IPv6 /64, or the device when the address is unknown.</summary>
    public static string SourceOf(string? remoteAddress, string deviceId) =>
        remoteAddress is null ? $"device:{deviceId}" : SourceAddresses.Of(remoteAddress);

    [LoggerMessage(LogLevel.Warning, "Could not write the aggregated refusal entry of {Log} ({Count} refusals)")]
    private static partial void FlushFailed(ILogger logger, Exception exception, string log, long count);

    private sealed record WindowKey(string Log, string Source, string Operation, string Outcome);

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset Last { get; set; } = start;
        public long Count { get; set; }
        public long Suppressed { get; set; }
        public List<string> Devices { get; } = [];
    }
}
