using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions.Monitoring;

/// <summary>
/// A tenant's detector thresholds and remediation, with defaults a fleet can start from: every kind alerts only until
/// the owner chooses otherwise, and automatic actions stop (alert only) past <see cref="MaxActionsPerInterval"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MonitoringPolicy
{
    /// <summary>Attestation failures of one group for one reason within <see cref="AttestationFailureWindow"/> that open a finding.</summary>
    [Id(0)] public int AttestationFailureThreshold { get; init; } = 5;
    [Id(1)] public TimeSpan AttestationFailureWindow { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Refused requests of a revoked or disabled device within <see cref="RetryWindow"/> that open a finding.</summary>
    [Id(2)] public int RevokedRetryThreshold { get; init; } = 3;
    [Id(3)] public TimeSpan RetryWindow { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>First enrolments of one group within <see cref="EnrollmentBurstWindow"/> that open a finding.</summary>
    [Id(4)] public int EnrollmentBurstThreshold { get; init; } = 500;
    [Id(5)] public TimeSpan EnrollmentBurstWindow { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>How long past its renewal time (two thirds of the lifetime) an active device may stay silent.</summary>
    [Id(6)] public TimeSpan StaleGrace { get; init; } = TimeSpan.FromHours(1);
    /// <summary>An active device whose certificate expires within this and has not renewed is a finding.</summary>
    [Id(7)] public TimeSpan ExpiryHorizon { get; init; } = TimeSpan.FromHours(1);
    /// <summary>What to do per kind; a kind not listed alerts only.</summary>
    [Id(8)] public ImmutableSortedDictionary<FindingKind, RemediationAction> Remediation { get; init; } = ImmutableSortedDictionary<FindingKind, RemediationAction>.Empty;
    /// <summary>The CRL reason a <see cref="RemediationAction.Revoke"/> uses (a name from RFC 5280, e.g. <c>keyCompromise</c>).</summary>
    [Id(9)] public string RevocationReason { get; init; } = "keyCompromise";
    /// <summary>Automatic quarantines and revocations allowed per <see cref="ActionInterval"/>; beyond it findings only alert.</summary>
    [Id(10)] public int MaxActionsPerInterval { get; init; } = 10;
    [Id(11)] public TimeSpan ActionInterval { get; init; } = TimeSpan.FromHours(1);
    /// <summary>The policy's version, raised by every change.</summary>
    [Id(12)] public long Version { get; init; }

    /// <summary>The action for <paramref name="kind"/>.</summary>
    public RemediationAction ActionFor(FindingKind kind) => Remediation.GetValueOrDefault(kind, RemediationAction.Alert);
}
