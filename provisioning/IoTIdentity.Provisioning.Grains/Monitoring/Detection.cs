using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>One signal a detector raised: it opens a finding of its kind and key, or counts into the open one.</summary>
public sealed record Detection(FindingKind Kind, FindingSeverity Severity, string Key, ImmutableList<string> Devices,
    ImmutableSortedDictionary<string, string> Evidence, DateTimeOffset At, long? AuditSequence = null);
