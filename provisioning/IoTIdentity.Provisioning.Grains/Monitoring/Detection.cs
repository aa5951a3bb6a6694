using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// One signal a detector raised: it opens a finding of its kind and key, or counts into the open one. The audit
/// sequences are the entries behind it (every event of a rate window; none for an inventory sweep).
/// </summary>
public sealed record Detection(FindingKind Kind, FindingSeverity Severity, string Key, ImmutableList<string> Devices,
    ImmutableSortedDictionary<string, string> Evidence, DateTimeOffset At, ImmutableList<long>? AuditSequences = null);
