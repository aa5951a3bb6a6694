using System.Collections.Immutable;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// The stream detectors of one tenant. Each reads an event and the policy and says what, if anything, it saw; what
/// they remember (live sessions, the times inside each rate window) is memory of the tenant's grain activation, so a
/// rate window starts afresh when the grain is activated again. In order:
/// <list type="number">
/// <item>clone suspicion: a device's authenticated session admitted while another of its sessions is live elsewhere
/// and outlives <see cref="MonitoringOptions.ConcurrentSessionGrace"/> after it (judged then: <see cref="ConcurrentSessions"/>),
/// a second session refused by the endpoint, or a renewal whose proof names a certificate that is not the current one;</item>
/// <item>firmware: an issued attestation showing an older release of the same product than the one before
/// (downgrade), or other PCR values under the same release (drift);</item>
/// <item>enrolment bursts: first enrolments of one group (one vendor root's devices), or from one peer address,
/// above the policy's rate;</item>
/// <item>attestation failures of one group for one reason above the policy's rate;</item>
/// <item>a revoked or disabled device refused again and again within the policy's window.</item>
/// </list>
/// A rate detection names every device and links every audit entry of its window, not only the one that crossed the
/// threshold.
/// <para>What they remember per device, address or group is kept only while it can still count: a rate window is let go
/// once its newest event is older than its width, and a device's group (which an event that does not carry one is
/// counted under) once the device has been quiet for longer than the policy's longest window — so an activation that
/// reads the events of a million devices holds the few in its windows, not every device it ever heard of.</para>
/// </summary>
public sealed class Detectors(TimeSpan? concurrentSessionGrace = null)
{
    /// <summary>The refusals that mean a TPM's evidence did not hold up (not a policy or quota matter).</summary>
    private static readonly ImmutableHashSet<string> AttestationFailures = ImmutableHashSet.Create(
        $"refused:{ProvisioningError.ActivationFailed}", $"refused:{ProvisioningError.QuoteInvalid}", $"refused:{ProvisioningError.PcrPolicyViolation}",
        $"refused:{ProvisioningError.EventLogMismatch}", $"refused:{ProvisioningError.MeasurementNotAllowed}", $"refused:{ProvisioningError.CertifyInvalid}",
        $"refused:{ProvisioningError.CsrInvalid}", $"refused:{ProvisioningError.InvalidAttestationKey}", $"refused:{ProvisioningError.EkMismatch}");

    private static readonly ImmutableHashSet<string> StandingRefusals = ImmutableHashSet.Create(
        $"refused:{ProvisioningError.Revoked}", $"refused:{ProvisioningError.Disabled}");

    /// <summary>How often, in event time, what can no longer count is let go.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, RateWindow> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Group, DateTimeOffset LastSeen)> _groups = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;
    private readonly ConcurrentSessions _sessions = new(concurrentSessionGrace ?? MonitoringOptions.DefaultConcurrentSessionGrace);

    /// <summary>
    /// What <paramref name="e"/> shows under <paramref name="policy"/>. <paramref name="listsAllDevices"/> tells whether
    /// the open finding of a kind and key already lists <see cref="FindingBook.MaxDevices"/> devices
    /// (<see cref="FindingBook.ListsAllDevices"/>): a rate detection for it then names no devices, since filing it would
    /// add none — which spares listing the window's devices at every event of a long burst.
    /// </summary>
    public IEnumerable<Detection> Read(MonitoredEvent e, MonitoringPolicy policy, Func<FindingKind, string, bool>? listsAllDevices = null) => e.Kind switch
    {
        MonitoredEventKind.Connected => Connected(e),
        MonitoredEventKind.Disconnected => Disconnected(e),
        MonitoredEventKind.SecondSessionRefused => [Clone(e, new() { ["refused-address"] = e.Address ?? "", ["signal"] = "second-session" })],
        _ when e.Actor == MonitoredDetails.MonitoringActor => [],
        _ => Decision(e, policy, listsAllDevices ?? ((_, _) => false)),
    };

    private IEnumerable<Detection> Connected(MonitoredEvent e)
    {
        _sessions.Connected(e);
        return [];
    }

    private IEnumerable<Detection> Disconnected(MonitoredEvent e)
    {
        _sessions.Disconnected(e);
        return [];
    }

    /// <summary>The devices with a new suspicion of concurrent sessions, whose sessions should be asked whether their peers are there (<see cref="ConcurrentSessions"/>).</summary>
    public IReadOnlyCollection<string> TakeDevicesToAsk() => _sessions.TakeDevicesToAsk();

    /// <summary>When the next suspicion of concurrent sessions is due for judgement; null when none waits.</summary>
    public DateTimeOffset? NextDue => _sessions.NextDue;

    /// <summary>The suspicions of concurrent sessions due at <paramref name="now"/>, taken out of the waiting ones (each to be <see cref="Judge"/>d).</summary>
    public IReadOnlyList<ConcurrentSessions.SessionSuspicion> TakeDue(DateTimeOffset now) => _sessions.TakeDue(now);

    /// <summary>
    /// <paramref name="suspicion"/> judged at <paramref name="now"/> by the device's sessions the silos hold
    /// (<paramref name="live"/>; null when one could not answer, which may put the judgement off): a clone suspicion when
    /// an earlier session outlived the grace (<see cref="ConcurrentSessions.Judge"/>).
    /// </summary>
    public Detection? Judge(ConcurrentSessions.SessionSuspicion suspicion, IReadOnlyCollection<string>? live, DateTimeOffset now)
    {
        var outlived = _sessions.Judge(suspicion, live, now);
        if (outlived.Count == 0) return null;
        var e = suspicion.Connected;
        return Clone(e, new()
        {
            ["signal"] = "concurrent-sessions",
            ["addresses"] = string.Join(", ", outlived.Select(s => s.Address).Append(e.Address).Distinct().Order(StringComparer.Ordinal)),
            ["sessions"] = (outlived.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private IEnumerable<Detection> Decision(MonitoredEvent e, MonitoringPolicy policy, Func<FindingKind, string, bool> listsAllDevices)
    {
        Sweep(e.At, policy);
        var groupOf = e.Detail(MonitoredDetails.Group) is { Length: > 0 } group ? group
            : _groups.TryGetValue(e.Subject, out var known) ? known.Group : "";
        if (groupOf.Length > 0) _groups[e.Subject] = (groupOf, e.At);

        if (e.Detail(MonitoredDetails.PresentedSerial) is { } presented && e.Detail(MonitoredDetails.CurrentSerial) is { } current
            && !string.Equals(presented, current, StringComparison.OrdinalIgnoreCase))
            yield return Clone(e, new() { ["signal"] = "renewal-with-another-certificate", ["presented-serial"] = presented, ["current-serial"] = current });

        if (e.Action == "attest" && e.Outcome == "issued")
        {
            foreach (var firmware in Firmware(e)) yield return firmware;
            if (e.Detail(MonitoredDetails.Mode) == "enroll" && e.Detail(MonitoredDetails.PreviousPcrs) is null)
                foreach (var burst in Bursts(e, groupOf, policy, listsAllDevices)) yield return burst;
        }

        if (AttestationFailures.Contains(e.Outcome)
            && Window($"attest|{groupOf}|{e.Outcome}", e, policy.AttestationFailureWindow) is var failed && failed.Count >= policy.AttestationFailureThreshold)
        {
            var reason = e.Outcome["refused:".Length..];
            yield return Rate(FindingKind.AttestationFailures, FindingSeverity.High, $"{groupOf}/{reason}", failed, e, listsAllDevices, new()
            {
                ["group"] = groupOf, ["reason"] = reason, ["failures"] = Text(failed.Count), ["window"] = policy.AttestationFailureWindow.ToString(),
            });
        }

        if (StandingRefusals.Contains(e.Outcome)
            && Window($"standing|{e.Subject}", e, policy.RetryWindow) is var tries && tries.Count >= policy.RevokedRetryThreshold)
            yield return Rate(FindingKind.RevokedDeviceRetrying, FindingSeverity.Medium, e.Subject, tries, e, listsAllDevices, new()
            {
                ["refusal"] = e.Outcome["refused:".Length..], ["attempts"] = Text(tries.Count), ["window"] = policy.RetryWindow.ToString(),
            });
    }

    /// <summary>A first enrolment counted by its group and by its peer address: either window at the threshold is a burst.</summary>
    private IEnumerable<Detection> Bursts(MonitoredEvent e, string groupOf, MonitoringPolicy policy, Func<FindingKind, string, bool> listsAllDevices)
    {
        var window = policy.EnrollmentBurstWindow.ToString();
        if (Window($"burst|{groupOf}", e, policy.EnrollmentBurstWindow) is var enrolled && enrolled.Count >= policy.EnrollmentBurstThreshold)
            yield return Rate(FindingKind.EnrollmentBurst, FindingSeverity.Medium, groupOf, enrolled, e, listsAllDevices, new()
            {
                ["group"] = groupOf, ["enrolments"] = Text(enrolled.Count), ["window"] = window,
            });
        if (e.Detail(MonitoredDetails.Address) is { Length: > 0 } address
            && Window($"burst-address|{address}", e, policy.EnrollmentBurstWindow) is var fromAddress && fromAddress.Count >= policy.EnrollmentBurstThreshold)
            yield return Rate(FindingKind.EnrollmentBurst, FindingSeverity.Medium, $"address:{address}", fromAddress, e, listsAllDevices, new()
            {
                ["address"] = address, ["enrolments"] = Text(fromAddress.Count), ["window"] = window,
            });
    }

    private static IEnumerable<Detection> Firmware(MonitoredEvent e)
    {
        var now = e.Detail(MonitoredDetails.Firmware) ?? "";
        var before = e.Detail(MonitoredDetails.PreviousFirmware);
        if (before is null) yield break;     // first attestation: nothing to compare
        if (FirmwareReleases.IsDowngrade(before, now))
            yield return new Detection(FindingKind.FirmwareDowngrade, FindingSeverity.High, e.Subject, [e.Subject],
                Evidence(new() { ["from"] = before, ["to"] = now }), e.At, Links(e));
        else if (before == now && e.Detail(MonitoredDetails.PreviousPcrs) is { } pcrsBefore && e.Detail(MonitoredDetails.Pcrs) is { } pcrsNow && pcrsBefore != pcrsNow)
            yield return new Detection(FindingKind.FirmwareDrift, FindingSeverity.Medium, e.Subject, [e.Subject],
                Evidence(new() { ["release"] = now, ["pcrs-before"] = pcrsBefore, ["pcrs-now"] = pcrsNow }), e.At, Links(e));
    }

    /// <summary>One event counted in a rate window: when, about which device, and its audit entry.</summary>
    private readonly record struct Seen(DateTimeOffset At, string Subject, long? Sequence);

    /// <summary>How many rate windows and device groups are remembered (for tests of the bound).</summary>
    internal int Remembered => _windows.Count + _groups.Count;

    /// <summary>
    /// Once per <see cref="SweepInterval"/> of event time: lets go of the rate windows whose newest event lies beyond
    /// their width of <paramref name="now"/>, and of the groups of devices quiet for longer than the policy's longest window.
    /// </summary>
    private void Sweep(DateTimeOffset now, MonitoringPolicy policy)
    {
        if (now < _nextSweep) return;
        _nextSweep = now + SweepInterval;
        foreach (var (key, window) in _windows)
            if (window.Newest <= now - window.Width) _windows.Remove(key);
        var horizon = now - Horizon(policy);
        foreach (var (device, known) in _groups)
            if (known.LastSeen <= horizon) _groups.Remove(device);
    }

    /// <summary>How long a quiet device's group is remembered: the policy's longest window.</summary>
    private static TimeSpan Horizon(MonitoringPolicy policy)
    {
        var longest = policy.AttestationFailureWindow > policy.EnrollmentBurstWindow ? policy.AttestationFailureWindow : policy.EnrollmentBurstWindow;
        return longest > policy.RetryWindow ? longest : policy.RetryWindow;
    }

    /// <summary>
    /// The events of one rate window, oldest first: a list read from a moving head (the oldest leave at the head, new
    /// ones join at the tail), so both ends can be read without walking the window.
    /// </summary>
    private sealed class RateWindow
    {
        private readonly List<Seen> _events = [];
        private int _head;

        public int Count => _events.Count - _head;

        /// <summary>The width the window was last counted over.</summary>
        public TimeSpan Width { get; private set; }

        /// <summary>When its newest event was (an event is never let go by a later one's width before an older one is).</summary>
        public DateTimeOffset Newest { get; private set; } = DateTimeOffset.MinValue;

        /// <summary>Adds <paramref name="seen"/> and lets go of the events more than <paramref name="width"/> before it.</summary>
        public void Add(Seen seen, TimeSpan width)
        {
            Width = width;
            if (seen.At > Newest) Newest = seen.At;
            var oldest = seen.At - width;
            _events.Add(seen);
            while (_head < _events.Count && _events[_head].At <= oldest) _head++;
            if (_head > 64 && _head > _events.Count / 2)
            {
                _events.RemoveRange(0, _head);
                _head = 0;
            }
        }

        /// <summary>The first <paramref name="max"/> distinct devices of the window, first seen first.</summary>
        public ImmutableList<string> FirstDevices(int max)
        {
            var devices = ImmutableList.CreateBuilder<string>();
            var listed = new HashSet<string>(StringComparer.Ordinal);
            for (var i = _head; i < _events.Count && devices.Count < max; i++)
                if (listed.Add(_events[i].Subject)) devices.Add(_events[i].Subject);
            return devices.ToImmutable();
        }

        /// <summary>The audit entries of the window's last <paramref name="max"/> events that have one, oldest first.</summary>
        public ImmutableList<long> LastSequences(int max)
        {
            var sequences = new List<long>(max);
            for (var i = _events.Count - 1; i >= _head && sequences.Count < max; i--)
                if (_events[i].Sequence is { } sequence) sequences.Add(sequence);
            sequences.Reverse();
            return [.. sequences];
        }
    }

    /// <summary>Adds <paramref name="e"/> to the window <paramref name="key"/> and returns the events that lie within <paramref name="width"/> of it.</summary>
    private RateWindow Window(string key, MonitoredEvent e, TimeSpan width)
    {
        var window = _windows.TryGetValue(key, out var w) ? w : _windows[key] = new RateWindow();
        window.Add(new Seen(e.At, e.Subject, e.AuditSequence), width);
        return window;
    }

    /// <summary>
    /// A rate crossed by <paramref name="e"/>: the window's devices (first seen first) and audit entries — only as many
    /// as a finding keeps (<see cref="FindingBook.MaxDevices"/> first devices, <see cref="Finding.MaxAuditLinks"/> last
    /// entries), which files exactly as the whole window would, so a long burst costs the same per event as a short one; no
    /// devices at all when the finding already lists all it keeps.
    /// </summary>
    private static Detection Rate(FindingKind kind, FindingSeverity severity, string key, RateWindow window, MonitoredEvent e,
        Func<FindingKind, string, bool> listsAllDevices, Dictionary<string, string> evidence) =>
        new(kind, severity, key, listsAllDevices(kind, key) ? [] : window.FirstDevices(FindingBook.MaxDevices), Evidence(evidence), e.At,
            window.LastSequences(Finding.MaxAuditLinks));

    private static Detection Clone(MonitoredEvent e, Dictionary<string, string> evidence) =>
        new(FindingKind.CloneSuspected, FindingSeverity.Critical, e.Subject, [e.Subject], Evidence(evidence), e.At, Links(e));

    private static ImmutableList<long> Links(MonitoredEvent e) => e.AuditSequence is { } sequence ? [sequence] : [];

    private static ImmutableSortedDictionary<string, string> Evidence(Dictionary<string, string> facts) => facts.ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static string Text(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
