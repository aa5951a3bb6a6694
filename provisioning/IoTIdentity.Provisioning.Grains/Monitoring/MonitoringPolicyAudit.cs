using System.Globalization;
using IoTIdentity.Provisioning.Abstractions.Monitoring;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>How a monitoring policy change is written to the audit log: every threshold and remediation, by name.</summary>
public static class MonitoringPolicyAudit
{
    /// <summary>The policy as audit details.</summary>
    public static Dictionary<string, string> Describe(MonitoringPolicy policy) => new()
    {
        ["version"] = policy.Version.ToString(CultureInfo.InvariantCulture),
        ["attestation-failures"] = $"{policy.AttestationFailureThreshold.ToString(CultureInfo.InvariantCulture)} per {policy.AttestationFailureWindow}",
        ["revoked-retries"] = $"{policy.RevokedRetryThreshold.ToString(CultureInfo.InvariantCulture)} per {policy.RetryWindow}",
        ["enrolment-burst"] = $"{policy.EnrollmentBurstThreshold.ToString(CultureInfo.InvariantCulture)} per {policy.EnrollmentBurstWindow}",
        ["stale-grace"] = policy.StaleGrace.ToString(),
        ["expiry-horizon"] = policy.ExpiryHorizon.ToString(),
        ["remediation"] = string.Join(", ", policy.Remediation.Select(r => $"{r.Key}={r.Value}")),
        ["revocation-reason"] = policy.RevocationReason,
        ["action-cap"] = $"{policy.MaxActionsPerInterval.ToString(CultureInfo.InvariantCulture)} per {policy.ActionInterval}",
    };
}
