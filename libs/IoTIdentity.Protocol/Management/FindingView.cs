namespace IoTIdentity.Protocol.Management;

/// <summary>One finding of the caller's tenant (<c>GET /api/v1/findings</c>, <c>GET /api/v1/findings/{id}</c>).</summary>
public sealed record FindingView
{
    /// <summary>The finding's id (<c>f-</c> and a number).</summary>
    public required string Id { get; init; }

    /// <summary>CloneSuspected, AttestationFailures, FirmwareDrift, FirmwareDowngrade, RevokedDeviceRetrying, EnrollmentBurst, StaleDevice or ExpiringBeforeRenewal.</summary>
    public required string Kind { get; init; }

    /// <summary>Low, Medium, High or Critical.</summary>
    public required string Severity { get; init; }

    /// <summary>Open, Acknowledged or Resolved.</summary>
    public required string State { get; init; }

    /// <summary>What makes repeats the same finding (a device id, or group/reason).</summary>
    public required string Key { get; init; }

    /// <summary>The devices involved.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>The facts the detector decided on.</summary>
    public IReadOnlyDictionary<string, string> Evidence { get; init; } = new Dictionary<string, string>();

    /// <summary>Sequence numbers of the audit entries behind it (<c>GET /api/v1/audit</c>).</summary>
    public IReadOnlyList<long> AuditSequences { get; init; } = [];

    /// <summary>When it was first seen.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>When it was last seen.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>How many times it was seen.</summary>
    public int Count { get; init; }

    /// <summary>What the service did on its own: alert, capped, quarantine or revoke.</summary>
    public required string Remediation { get; init; }

    /// <summary>Who last acknowledged or resolved it.</summary>
    public string? StateChangedBy { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset? StateChangedAt { get; init; }
}
