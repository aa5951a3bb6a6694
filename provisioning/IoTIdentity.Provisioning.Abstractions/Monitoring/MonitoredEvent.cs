using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>
/// One event of a tenant's stream the detectors read: an audited decision (with its audit sequence number) or a
/// session change seen by the MQTT endpoint.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MonitoredEvent
{
    [Id(0)] public required MonitoredEventKind Kind { get; init; }
    /// <summary>The device (or, for decisions about something else, the audit entry's subject).</summary>
    [Id(1)] public required string Subject { get; init; }
    [Id(2)] public required DateTimeOffset At { get; init; }
    /// <summary>The audit action (<c>register</c>, <c>attest</c>, <c>revoke</c>, …); empty for session events.</summary>
    [Id(3)] public string Action { get; init; } = "";
    /// <summary>The audit outcome (<c>issued</c>, <c>refused:Revoked</c>, …); empty for session events.</summary>
    [Id(4)] public string Outcome { get; init; } = "";
    [Id(5)] public string Actor { get; init; } = "";
    [Id(6)] public ImmutableSortedDictionary<string, string> Details { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>The audit entry's sequence number in the tenant's log; null for session events.</summary>
    [Id(7)] public long? AuditSequence { get; init; }
    /// <summary>The peer address of a session event.</summary>
    [Id(8)] public string? Address { get; init; }
    /// <summary>Which session a session event is about (unique per connection, per silo).</summary>
    [Id(9)] public string? SessionId { get; init; }

    /// <summary>The detail <paramref name="key"/>, or null.</summary>
    public string? Detail(string key) => Details.GetValueOrDefault(key);
}
