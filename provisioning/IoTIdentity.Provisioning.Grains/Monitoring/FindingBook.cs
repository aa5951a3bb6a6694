using System.Collections.Immutable;
using System.Globalization;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// Files a detection: it counts into the finding of the same kind and key that is not resolved, or opens a new
/// one. Devices (at most <see cref="MaxDevices"/>) and audit links accumulate; evidence takes the latest facts.
/// </summary>
public static class FindingBook
{
    /// <summary>How many findings a tenant keeps; beyond it the oldest resolved ones go.</summary>
    public const int MaxFindings = 1_000;

    /// <summary>How many devices one finding lists.</summary>
    public const int MaxDevices = 100;

    /// <summary>The state with <paramref name="detection"/> filed, the finding it went into, whether it was opened, and the devices it added.</summary>
    public static (MonitorState State, Finding Finding, bool Opened, ImmutableList<string> NewDevices) File(MonitorState state, Detection detection)
    {
        var existing = OpenFinding(state, detection.Kind, detection.Key);
        var links = Latest(detection.AuditSequences ?? []);
        if (existing < 0)
        {
            var opened = new Finding
            {
                Id = "f-" + state.NextFindingNumber.ToString(CultureInfo.InvariantCulture), Kind = detection.Kind, Severity = detection.Severity,
                Key = detection.Key, Devices = [.. detection.Devices.Take(MaxDevices)], Evidence = detection.Evidence, AuditSequences = links,
                FirstSeen = detection.At, LastSeen = detection.At,
            };
            return (state with { Findings = Trim(state.Findings.Add(opened)), NextFindingNumber = state.NextFindingNumber + 1 }, opened, true, opened.Devices);
        }
        var finding = state.Findings[existing];
        var room = MaxDevices - finding.Devices.Count;
        var added = room <= 0 ? [] : detection.Devices.Except(finding.Devices, StringComparer.Ordinal).Take(room).ToImmutableList();
        var updated = finding with
        {
            Count = finding.Count + 1,
            LastSeen = detection.At > finding.LastSeen ? detection.At : finding.LastSeen,
            Devices = finding.Devices.AddRange(added),
            Evidence = finding.Evidence.SetItems(detection.Evidence),
            AuditSequences = Latest(finding.AuditSequences.AddRange(links.Except(finding.AuditSequences))),
            Severity = detection.Severity > finding.Severity ? detection.Severity : finding.Severity,
        };
        return (state with { Findings = state.Findings.SetItem(existing, updated) }, updated, false, added);
    }

    /// <summary>
    /// Whether the finding a detection of <paramref name="kind"/> and <paramref name="key"/> would count into already
    /// lists <see cref="MaxDevices"/> devices, so that <see cref="File"/> would add none of the detection's devices.
    /// </summary>
    public static bool ListsAllDevices(MonitorState state, FindingKind kind, string key) =>
        OpenFinding(state, kind, key) is var index and >= 0 && state.Findings[index].Devices.Count >= MaxDevices;

    /// <summary>The index of the not-resolved finding of <paramref name="kind"/> and <paramref name="key"/>, or -1.</summary>
    private static int OpenFinding(MonitorState state, FindingKind kind, string key) =>
        state.Findings.FindLastIndex(f => f.Kind == kind && f.Key == key && f.State != FindingState.Resolved);

    /// <summary>Replaces the finding with the same id.</summary>
    public static MonitorState Replace(MonitorState state, Finding finding) =>
        state with { Findings = state.Findings.Replace(state.Findings.Single(f => f.Id == finding.Id), finding) };

    /// <summary>The last <see cref="Finding.MaxAuditLinks"/> of <paramref name="links"/>.</summary>
    private static ImmutableList<long> Latest(ImmutableList<long> links) =>
        links.Count > Finding.MaxAuditLinks ? links.RemoveRange(0, links.Count - Finding.MaxAuditLinks) : links;

    private static ImmutableList<Finding> Trim(ImmutableList<Finding> findings)
    {
        while (findings.Count > MaxFindings && findings.FindIndex(f => f.State == FindingState.Resolved) is var oldest and >= 0)
            findings = findings.RemoveAt(oldest);
        return findings;
    }
}
