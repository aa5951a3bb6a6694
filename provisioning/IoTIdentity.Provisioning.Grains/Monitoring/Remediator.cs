using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Certificates;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// Applies a tenant's remediation to the devices of a finding: quarantine (through the device grain) or revoke
/// (through <see cref="Revocations"/>), each followed by a <c>remediation</c> audit entry naming the finding. Each
/// device acted on counts against the policy's cap; past it the device is only alerted on, and that is audited
/// (<c>capped</c>) too, so a detector gone wrong cannot take a fleet down.
/// </summary>
public sealed class Remediator(IGrainFactory grains, Revocations revocations, AuditTrail audit, MonitoringMetrics metrics, TimeProvider clock,
    ILogger<Remediator> logger)
{
    /// <summary>The remediation names from weakest to strongest.</summary>
    public static readonly string[] Strength = ["alert", "capped", "quarantine", "revoke"];

    /// <summary>Acts on <paramref name="devices"/> of <paramref name="finding"/>; returns the state (its action times updated) and what was done.</summary>
    public async Task<(MonitorState State, string Remediation)> ApplyAsync(string tenantId, MonitorState state, Finding finding, ImmutableList<string> devices)
    {
        var policy = state.Policy;
        var action = policy.ActionFor(finding.Kind);
        if (action == RemediationAction.Alert) return (state, "alert");
        var now = clock.GetUtcNow();
        var recent = state.ActionTimes.RemoveAll(t => t <= now - policy.ActionInterval);
        var done = "alert";
        foreach (var deviceId in devices)
        {
            var name = action == RemediationAction.Revoke ? "revoke" : "quarantine";
            if (recent.Count >= policy.MaxActionsPerInterval)
            {
                metrics.Acted(finding.Kind, "capped");
                MonitoringLog.Capped(logger, finding.Id, name, tenantId);
                await AuditAsync(tenantId, deviceId, finding, "capped", name);
                if (done == "alert") done = "capped";
                continue;
            }
            var applied = action == RemediationAction.Revoke
                ? await revocations.RevokeDeviceAsync(tenantId, deviceId, Reason(policy), MonitoredDetails.MonitoringActor)
                : await grains.GetGrain<IDeviceGrain>(deviceId).QuarantineAsync(tenantId, finding.Id, MonitoredDetails.MonitoringActor);
            if (!applied) continue;      // not the tenant's device, or already held or revoked
            recent = recent.Add(now);
            metrics.Acted(finding.Kind, name);
            MonitoringLog.Acted(logger, finding.Id, name, deviceId, tenantId);
            await AuditAsync(tenantId, deviceId, finding, name == "revoke" ? "revoked" : "quarantined", name);
            done = name;
        }
        return (state with { ActionTimes = recent }, done);
    }

    private static CrlReason Reason(MonitoringPolicy policy) =>
        CrlReasonNames.TryParse(policy.RevocationReason, out var reason) ? reason : CrlReason.KeyCompromise;

    private Task AuditAsync(string tenantId, string deviceId, Finding finding, string outcome, string action) =>
        audit.RecordAsync(tenantId, AuditActions.Remediation, deviceId, outcome, [], MonitoredDetails.MonitoringActor, new Dictionary<string, string>
        {
            ["finding"] = finding.Id, ["kind"] = finding.Kind.ToString(), ["action"] = action,
        });
}
