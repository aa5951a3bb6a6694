using System.Collections.Immutable;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Monitoring's records as the management API's, and the policy read back from the API's form with its limits checked.</summary>
public static class MonitoringViews
{
    /// <summary>A finding.</summary>
    public static FindingView ToContract(this Finding f) => new()
    {
        Id = f.Id, Kind = f.Kind.ToString(), Severity = f.Severity.ToString(), State = f.State.ToString(), Key = f.Key, Devices = f.Devices,
        Evidence = f.Evidence, AuditSequences = f.AuditSequences, FirstSeen = f.FirstSeen, LastSeen = f.LastSeen, Count = f.Count,
        Remediation = f.Remediation, StateChangedBy = f.StateChangedBy, StateChangedAt = f.StateChangedAt,
    };

    /// <summary>The policy.</summary>
    public static MonitoringPolicyView ToContract(this MonitoringPolicy p) => new()
    {
        AttestationFailureThreshold = p.AttestationFailureThreshold, AttestationFailureWindow = p.AttestationFailureWindow,
        RevokedRetryThreshold = p.RevokedRetryThreshold, RetryWindow = p.RetryWindow,
        EnrollmentBurstThreshold = p.EnrollmentBurstThreshold, EnrollmentBurstWindow = p.EnrollmentBurstWindow,
        StaleGrace = p.StaleGrace, ExpiryHorizon = p.ExpiryHorizon,
        Remediation = p.Remediation.ToDictionary(r => r.Key.ToString(), r => r.Value.ToString()),
        RevocationReason = p.RevocationReason, MaxActionsPerInterval = p.MaxActionsPerInterval, ActionInterval = p.ActionInterval, Version = p.Version,
    };

    /// <summary>A webhook endpoint as listed.</summary>
    public static WebhookView ToContract(this WebhookEndpoint w) => new(w.Id, w.Url.ToString(), w.MinimumSeverity.ToString(), w.CreatedAt);

    /// <summary>A delivery.</summary>
    public static WebhookDeliveryView ToContract(this WebhookDelivery d) =>
        new(d.EndpointId, d.FindingId, d.DeliveryId, d.Attempts, d.StatusCode, d.Delivered, d.Error, d.At);

    /// <summary>The policy <paramref name="view"/> describes, or the first limit it breaks.</summary>
    public static bool TryRead(MonitoringPolicyView view, out MonitoringPolicy policy, out string problem)
    {
        policy = new MonitoringPolicy();
        problem = "";
        var remediation = ImmutableSortedDictionary.CreateBuilder<FindingKind, RemediationAction>();
        foreach (var (kind, action) in view.Remediation)
        {
            if (!EnumNames.TryRead<FindingKind>(kind, out var k)) return Fail($"remediation: '{kind}' is not a finding kind ({EnumNames.List<FindingKind>()})", out problem);
            if (!EnumNames.TryRead<RemediationAction>(action, out var a)) return Fail($"remediation of {kind}: '{action}' is not one of {EnumNames.List<RemediationAction>()}", out problem);
            remediation[k] = a;
        }
        if (!CrlReasonNames.TryParse(view.RevocationReason, out _)) return Fail($"revocationReason must be one of: {string.Join(", ", CrlReasonNames.All)}", out problem);
        (string Name, int Value, int Min)[] counts =
        [
            ("attestationFailureThreshold", view.AttestationFailureThreshold, 1), ("revokedRetryThreshold", view.RevokedRetryThreshold, 1),
            ("enrollmentBurstThreshold", view.EnrollmentBurstThreshold, 1), ("maxActionsPerInterval", view.MaxActionsPerInterval, 0),
        ];
        foreach (var (name, value, min) in counts)
            if (value < min || value > 1_000_000) return Fail($"{name} must be {min}-1000000", out problem);
        (string Name, TimeSpan Value)[] spans =
        [
            ("attestationFailureWindow", view.AttestationFailureWindow), ("retryWindow", view.RetryWindow), ("enrollmentBurstWindow", view.EnrollmentBurstWindow),
            ("staleGrace", view.StaleGrace), ("expiryHorizon", view.ExpiryHorizon), ("actionInterval", view.ActionInterval),
        ];
        foreach (var (name, value) in spans)
            if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromDays(365)) return Fail($"{name} must be between 1 second and 365 days", out problem);
        policy = new MonitoringPolicy
        {
            AttestationFailureThreshold = view.AttestationFailureThreshold, AttestationFailureWindow = view.AttestationFailureWindow,
            RevokedRetryThreshold = view.RevokedRetryThreshold, RetryWindow = view.RetryWindow,
            EnrollmentBurstThreshold = view.EnrollmentBurstThreshold, EnrollmentBurstWindow = view.EnrollmentBurstWindow,
            StaleGrace = view.StaleGrace, ExpiryHorizon = view.ExpiryHorizon, Remediation = remediation.ToImmutable(),
            RevocationReason = view.RevocationReason, MaxActionsPerInterval = view.MaxActionsPerInterval, ActionInterval = view.ActionInterval,
        };
        return true;
    }

    private static bool Fail(string message, out string problem)
    {
        problem = message;
        return false;
    }
}
