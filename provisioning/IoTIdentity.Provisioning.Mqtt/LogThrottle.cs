using System.Collections.Concurrent;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Log lines that anonymous senders can cause, at most one per <paramref name="interval"/> for each key (a refusal's
/// reason, the cap, the accept pause): a flood of connects is a flood of refusals, and must not become a flood of lines.
/// The line that is written says how many occurrences it stands for. The metrics still count each one.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider? time = null)
{
    /// <summary>The endpoint's interval: one line per key every ten seconds at most.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Counts one occurrence of <paramref name="key"/>. When a line is due (the first occurrence, or the first after the
    /// interval), returns how many occurrences it stands for (this one and those not written since the last line);
    /// otherwise null.
    /// </summary>
    public long? Occurred(string key)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        var now = _time.GetTimestamp();
        lock (entry)
        {
            entry.Unwritten++;
            if (entry.Written is { } last && _time.GetElapsedTime(last, now) < interval) return null;
            entry.Written = now;
            var count = entry.Unwritten;
            entry.Unwritten = 0;
            return count;
        }
    }

    private sealed class Entry
    {
        public long? Written;
        public long Unwritten;
    }
}
