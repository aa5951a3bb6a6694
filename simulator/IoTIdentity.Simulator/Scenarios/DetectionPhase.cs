using System.Diagnostics;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The adversarial run's second phase, <c>adversarial-detection</c>: each of <see cref="Misbehaviours.All"/> runs on
/// devices of its own, then the phase waits (up to <see cref="Wait"/>) for the fleet tenant's findings API to show a
/// finding of the misbehaviour's kind naming its devices. A flow succeeds when it does; the report lists each finding
/// (id, kind, severity, what the service did, devices, evidence, audit links) and, for a service on this machine,
/// whether its webhook reached the phase's receiver signed (<see cref="FindingWebhooks"/>). Misbehaviours run one after
/// another so each finding is the one its misbehaviour caused.
/// </summary>
public static class DetectionPhase
{
    /// <summary>The phase's name in reports.</summary>
    public const string Name = "adversarial-detection";

    /// <summary>How long a finding may take to show after its misbehaviour.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Runs the misbehaviours against the service behind <paramref name="api"/> (the fleet tenant's owner-admin key).</summary>
    public static async Task<ScenarioReport> RunAsync(Fleet fleet, EnrollmentClientOptions client, ServiceApi api, string workDirectory, CancellationToken cancellationToken)
    {
        using var management = api.CreateIotIdClient();
        var policy = (await management.GetMonitoringPolicyAsync(cancellationToken)).Value;
        var context = new MisbehaviourContext(fleet, client, management, policy, workDirectory);
        await using var webhooks = FindingWebhooks.Reachable(api.BaseAddress) ? await FindingWebhooks.StartAsync(management, cancellationToken) : null;
        var clock = Stopwatch.StartNew();
        var outcomes = new List<DeviceOutcome>();
        var findings = new List<DetectedFinding>();
        foreach (var misbehaviour in Misbehaviours.All)
        {
            var started = clock.Elapsed;
            IReadOnlyList<string> devices = [];
            string? error;
            try
            {
                devices = await misbehaviour.RunAsync(context, cancellationToken);
                var done = clock.Elapsed;
                var finding = await FindingAsync(management, misbehaviour.Kind, devices, cancellationToken);
                var seconds = (clock.Elapsed - done).TotalSeconds;
                var webhook = finding is null ? "none" : webhooks is null ? "not reachable" : await webhooks.VerdictAsync(finding.Id, Wait);
                if (finding is not null)
                    findings.Add(new DetectedFinding(misbehaviour.Name, finding.Id, finding.Kind, finding.Severity, finding.Remediation, finding.Devices,
                        finding.Evidence, finding.AuditSequences.Count, seconds, webhook));
                error = finding is null ? $"{misbehaviour.Name}: no {misbehaviour.Kind} finding naming its devices within {Wait.TotalSeconds:F0} s"
                    : webhooks is not null && webhook != "signed" ? $"{misbehaviour.Name}: webhook {webhook}" : null;
            }
            catch (MisbehaviourFailedException e)
            {
                error = $"{misbehaviour.Name}: {e.Message}";
            }
            catch (EnrollmentRefusedException e)
            {
                error = $"{misbehaviour.Name}: refused {e.Error}";
            }
            outcomes.Add(new DeviceOutcome(devices.FirstOrDefault() ?? misbehaviour.Name, error is null, error, clock.Elapsed.TotalSeconds,
                new Dictionary<string, double> { ["misbehave+detect"] = (clock.Elapsed - started).TotalMilliseconds }));
        }
        return ScenarioReport.From(Name, outcomes, clock.Elapsed) with { Findings = findings };
    }

    /// <summary>The finding of <paramref name="kind"/> naming every one of <paramref name="devices"/>, once the API shows it; null after <see cref="Wait"/>.</summary>
    private static async Task<FindingView?> FindingAsync(IotIdClient api, string kind, IReadOnlyList<string> devices, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var page = (await api.ListFindingsAsync(kind: kind, cancellationToken: cancellationToken)).Value;
            if (page.Items.FirstOrDefault(f => devices.All(f.Devices.Contains)) is { } found) return found;
            if (deadline.Elapsed > Wait) return null;
            await Task.Delay(250, cancellationToken);
        }
    }
}
