namespace IoTIdentity.Protocol.Management;

/// <summary>
/// The tenant's monitoring policy (<c>GET|PUT /api/v1/monitoring/policy</c>). Windows and durations are written as
/// <c>[d.]hh:mm:ss</c>. On PUT every field is taken as sent; an absent one takes its default.
/// </summary>
public sealed record MonitoringPolicyView
{
    /// <summary>Attestation failures of one group for one reason within the window that open a finding (1–1,000,000; default 5).</summary>
    public int AttestationFailureThreshold { get; init; } = 5;

    /// <summary>Default 5 minutes.</summary>
    public TimeSpan AttestationFailureWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Refusals of a revoked or disabled device within the window that open a finding (default 3).</summary>
    public int RevokedRetryThreshold { get; init; } = 3;

    /// <summary>Default 5 minutes.</summary>
    public TimeSpan RetryWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First enrolments of one group within the window that open a finding (default 500).</summary>
    public int EnrollmentBurstThreshold { get; init; } = 500;

    /// <summary>Default 1 minute.</summary>
    public TimeSpan EnrollmentBurstWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long past its renewal time an active device may stay silent (default 1 hour).</summary>
    public TimeSpan StaleGrace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>An unrenewed certificate expiring within this is a finding (default 1 hour).</summary>
    public TimeSpan ExpiryHorizon { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Per finding kind: Alert, Quarantine or Revoke (a kind not named alerts).</summary>
    public IReadOnlyDictionary<string, string> Remediation { get; init; } = new Dictionary<string, string>();

    /// <summary>The CRL reason automatic revocations use (RFC 5280 name; default keyCompromise).</summary>
    public string RevocationReason { get; init; } = "keyCompromise";

    /// <summary>Automatic actions allowed per interval; past it findings only alert (0–10,000; default 10).</summary>
    public int MaxActionsPerInterval { get; init; } = 10;

    /// <summary>Default 1 hour.</summary>
    public TimeSpan ActionInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Raised by every change (read only).</summary>
    public long Version { get; init; }
}
