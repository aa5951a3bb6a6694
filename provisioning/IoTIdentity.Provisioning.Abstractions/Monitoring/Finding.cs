using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>
/// Something a detector saw in one tenant, with what it was seen in: the devices, the facts (evidence) and the
/// sequence numbers of the audit entries behind it. Repeats of the same signal while the finding is not resolved
/// count into it (<see cref="Count"/>, <see cref="LastSeen"/>) instead of opening another.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Finding
{
    /// <summary>The finding's id within its tenant (<c>f-</c> and a number, in opening order).</summary>
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required FindingKind Kind { get; init; }
    [Id(2)] public required FindingSeverity Severity { get; init; }
    /// <summary>What makes two signals the same finding (e.g. the device id, or group and reason).</summary>
    [Id(3)] public required string Key { get; init; }
    [Id(4)] public ImmutableList<string> Devices { get; init; } = [];
    /// <summary>The facts the detector decided on, e.g. the two addresses, the old and new firmware, the rate.</summary>
    [Id(5)] public ImmutableSortedDictionary<string, string> Evidence { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>Sequence numbers of the tenant's audit entries behind the finding (the most recent <see cref="MaxAuditLinks"/>).</summary>
    [Id(6)] public ImmutableList<long> AuditSequences { get; init; } = [];
    [Id(7)] public required DateTimeOffset FirstSeen { get; init; }
    [Id(8)] public required DateTimeOffset LastSeen { get; init; }
    [Id(9)] public int Count { get; init; } = 1;
    [Id(10)] public FindingState State { get; init; } = FindingState.Open;
    /// <summary>What the service did on its own: <c>alert</c>, <c>quarantine</c>, <c>revoke</c>, or <c>capped</c> (the action cap was reached, so only an alert).</summary>
    [Id(11)] public string Remediation { get; init; } = "alert";
    /// <summary>Who last changed <see cref="State"/> (an API key id), when it is not open.</summary>
    [Id(12)] public string? StateChangedBy { get; init; }
    [Id(13)] public DateTimeOffset? StateChangedAt { get; init; }

    /// <summary>How many audit links a finding keeps.</summary>
    public const int MaxAuditLinks = 50;
}
