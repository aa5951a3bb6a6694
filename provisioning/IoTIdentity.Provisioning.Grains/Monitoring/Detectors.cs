using System.Collections.Immutable;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// The stream detectors of one tenant. Each reads an event and the policy and says what, if anything, it saw; what
/// they remember (live sessions, the times inside each rate window) is memory of the tenant's grain activation, so a
/// rate window starts afresh when the grain is activated again. In order:
/// <list type="number">
/// <item>clone suspicion: a device's authenticated session admitted while another of its sessions is live elsewhere,
/// a second session refused by the endpoint, or a renewal whose proof names a certificate that is not the current one;</item>
/// <item>firmware: an issued attestation showing an older release of the same product than the one before
/// (downgrade), or other PCR values under the same release (drift);</item>
/// <item>enrolment bursts: first enrolments of one group above the policy's rate;</item>
/// <item>attestation failures of one group for one reason above the policy's rate;</item>
/// <item>a revoked or disabled device refused again and again within the policy's window.</item>
/// </list>
/// </summary>
public sealed class Detectors
{
    /// <summary>The refusals that mean a TPM's evidence did not hold up (not a policy or quota matter).</summary>
    private static readonly ImmutableHashSet<string> AttestationFailures = ImmutableHashSet.Create(
        $"refused:{ProvisioningError.ActivationFailed}", $"refused:{ProvisioningError.QuoteInvalid}", $"refused:{ProvisioningError.PcrPolicyViolation}",
        $"refused:{ProvisioningError.EventLogMismatch}", $"refused:{ProvisioningError.MeasurementNotAllowed}", $"refused:{ProvisioningError.CertifyInvalid}",
        $"refused:{ProvisioningError.CsrInvalid}", $"refused:{ProvisioningError.InvalidAttestationKey}", $"refused:{ProvisioningError.EkMismatch}");

    private static readonly ImmutableHashSet<string> StandingRefusals = ImmutableHashSet.Create(
        $"refused:{ProvisioningError.Revoked}", $"refused:{ProvisioningError.Disabled}");

    private readonly Dictionary<string, Dictionary<string, string?>> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _groups = new(StringComparer.Ordinal);

    /// <summary>What <paramref name="e"/> shows under <paramref name="policy"/>.</summary>
    public IEnumerable<Detection> Read(MonitoredEvent e, MonitoringPolicy policy) => e.Kind switch
    {
        MonitoredEventKind.Connected => Connected(e),
        MonitoredEventKind.Disconnected => Disconnected(e),
        MonitoredEventKind.SecondSessionRefused => [Clone(e, new() { ["refused-address"] = e.Address ?? "", ["signal"] = "second-session" })],
        _ when e.Actor == MonitoredDetails.MonitoringActor => [],
        _ => Decision(e, policy),
    };

    private IEnumerable<Detection> Connected(MonitoredEvent e)
    {
        var live = _sessions.TryGetValue(e.Subject, out var existing) ? existing : _sessions[e.Subject] = new(StringComparer.Ordinal);
        var others = live.Where(s => s.Key != e.SessionId).ToList();
        live[e.SessionId ?? ""] = e.Address;
        if (others.Count == 0) return [];
        return [Clone(e, new()
        {
            ["signal"] = "concurrent-sessions",
            ["addresses"] = string.Join(", ", others.Select(o => o.Value).Append(e.Address).Distinct().Order(StringComparer.Ordinal)),
            ["sessions"] = (others.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        })];
    }

    private IEnumerable<Detection> Disconnected(MonitoredEvent e)
    {
        if (_sessions.TryGetValue(e.Subject, out var live) && live.Remove(e.SessionId ?? "") && live.Count == 0) _sessions.Remove(e.Subject);
        return [];
    }

    private IEnumerable<Detection> Decision(MonitoredEvent e, MonitoringPolicy policy)
    {
        if (e.Detail(MonitoredDetails.Group) is { Length: > 0 } group) _groups[e.Subject] = group;
        var groupOf = _groups.GetValueOrDefault(e.Subject, "");

        if (e.Detail(MonitoredDetails.PresentedSerial) is { } presented && e.Detail(MonitoredDetails.CurrentSerial) is { } current
            && !string.Equals(presented, current, StringComparison.OrdinalIgnoreCase))
            yield return Clone(e, new() { ["signal"] = "renewal-with-another-certificate", ["presented-serial"] = presented, ["current-serial"] = current });

        if (e.Action == "attest" && e.Outcome == "issued")
        {
            foreach (var firmware in Firmware(e)) yield return firmware;
            if (e.Detail(MonitoredDetails.Mode) == "enroll" && e.Detail(MonitoredDetails.PreviousPcrs) is null
                && Count($"burst|{groupOf}", e.At, policy.EnrollmentBurstWindow) is var enrolled && enrolled >= policy.EnrollmentBurstThreshold)
                yield return new Detection(FindingKind.EnrollmentBurst, FindingSeverity.Medium, groupOf, [], Evidence(new()
                {
                    ["group"] = groupOf, ["enrolments"] = Text(enrolled), ["window"] = policy.EnrollmentBurstWindow.ToString(),
                }), e.At, e.AuditSequence);
        }

        if (AttestationFailures.Contains(e.Outcome)
            && Count($"attest|{groupOf}|{e.Outcome}", e.At, policy.AttestationFailureWindow) is var failed && failed >= policy.AttestationFailureThreshold)
        {
            var reason = e.Outcome["refused:".Length..];
            yield return new Detection(FindingKind.AttestationFailures, FindingSeverity.High, $"{groupOf}/{reason}", [e.Subject], Evidence(new()
            {
                ["group"] = groupOf, ["reason"] = reason, ["failures"] = Text(failed), ["window"] = policy.AttestationFailureWindow.ToString(),
            }), e.At, e.AuditSequence);
        }

        if (StandingRefusals.Contains(e.Outcome)
            && Count($"standing|{e.Subject}", e.At, policy.RetryWindow) is var tries && tries >= policy.RevokedRetryThreshold)
            yield return new Detection(FindingKind.RevokedDeviceRetrying, FindingSeverity.Medium, e.Subject, [e.Subject], Evidence(new()
            {
                ["refusal"] = e.Outcome["refused:".Length..], ["attempts"] = Text(tries), ["window"] = policy.RetryWindow.ToString(),
            }), e.At, e.AuditSequence);
    }

    private static IEnumerable<Detection> Firmware(MonitoredEvent e)
    {
        var now = e.Detail(MonitoredDetails.Firmware) ?? "";
        var before = e.Detail(MonitoredDetails.PreviousFirmware);
        if (before is null) yield break;     // first attestation: nothing to compare
        if (FirmwareReleases.IsDowngrade(before, now))
            yield return new Detection(FindingKind.FirmwareDowngrade, FindingSeverity.High, e.Subject, [e.Subject],
                Evidence(new() { ["from"] = before, ["to"] = now }), e.At, e.AuditSequence);
        else if (before == now && e.Detail(MonitoredDetails.PreviousPcrs) is { } pcrsBefore && e.Detail(MonitoredDetails.Pcrs) is { } pcrsNow && pcrsBefore != pcrsNow)
            yield return new Detection(FindingKind.FirmwareDrift, FindingSeverity.Medium, e.Subject, [e.Subject],
                Evidence(new() { ["release"] = now, ["pcrs-before"] = pcrsBefore, ["pcrs-now"] = pcrsNow }), e.At, e.AuditSequence);
    }

    /// <summary>Adds <paramref name="at"/> to the window <paramref name="key"/> and returns how many times lie within <paramref name="width"/> of it.</summary>
    private int Count(string key, DateTimeOffset at, TimeSpan width)
    {
        var times = _windows.TryGetValue(key, out var q) ? q : _windows[key] = new Queue<DateTimeOffset>();
        times.Enqueue(at);
        while (times.Count > 0 && times.Peek() <= at - width) times.Dequeue();
        return times.Count;
    }

    private static Detection Clone(MonitoredEvent e, Dictionary<string, string> evidence) =>
        new(FindingKind.CloneSuspected, FindingSeverity.Critical, e.Subject, [e.Subject], Evidence(evidence), e.At, e.AuditSequence);

    private static ImmutableSortedDictionary<string, string> Evidence(Dictionary<string, string> facts) => facts.ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static string Text(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
