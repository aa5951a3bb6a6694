using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Factory;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// One misbehaviour of the adversarial run's detection phase: what a compromised or broken device does, driven
/// through the real enrolment client on the fleet's swtpm devices, and the finding kind the service must open for it.
/// </summary>
/// <param name="Name">The misbehaviour's name in the report.</param>
/// <param name="Kind">The finding kind it must produce (a <c>FindingKind</c> name).</param>
/// <param name="RunAsync">Does it; returns the devices the finding must name.</param>
public sealed record Misbehaviour(string Name, string Kind, Func<MisbehaviourContext, CancellationToken, Task<IReadOnlyList<string>>> RunAsync);

/// <summary>What a misbehaviour runs with: the fleet, how devices connect, the tenant's API and monitoring policy.</summary>
/// <param name="Fleet">The fleet (its devices, swtpms and manufacturer).</param>
/// <param name="Client">How devices reach the service.</param>
/// <param name="Api">The fleet tenant's management API (owner-admin).</param>
/// <param name="Policy">The tenant's monitoring policy in force: misbehaviours go just past its thresholds.</param>
/// <param name="WorkDirectory">Where side material is kept (the firmware vendor's CA, the sample releases).</param>
public sealed record MisbehaviourContext(Fleet Fleet, EnrollmentClientOptions Client, IotIdClient Api, MonitoringPolicyView Policy, string WorkDirectory)
{
    private int _next;

    /// <summary>The next <paramref name="count"/> fleet devices no other misbehaviour of this run used.</summary>
    public IReadOnlyList<FleetDevice> Take(int count)
    {
        var first = Interlocked.Add(ref _next, count) - count;
        if (first + count > Fleet.Devices.Count)
            throw new InvalidOperationException($"the detection phase needs at least {first + count} devices; run with a larger --devices");
        return [.. Fleet.Devices.Skip(first).Take(count)];
    }
}
