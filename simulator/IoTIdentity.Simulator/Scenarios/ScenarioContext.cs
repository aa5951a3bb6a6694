using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Reporting;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>What a scenario runs with: the fleet, the service target, the pacing asked for, and where progress goes.</summary>
public sealed record ScenarioContext(Fleet Fleet, IServiceTarget Target)
{
    /// <summary>How devices reach the target.</summary>
    public EnrollmentClientOptions Client => Target.ClientOptions;

    /// <summary>Arrivals per second (null: as fast as possible).</summary>
    public double? Rate { get; init; }

    /// <summary>How long a steady-rate scenario runs.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Where scenarios keep side material (e.g. the adversarial scenario's rogue manufacturer).</summary>
    public string WorkDirectory => Fleet.Directory;

    /// <summary>
    /// Called when a phase starts, with its name and how many device flows it will run; returns where each flow's
    /// outcome is reported (e.g. a progress bar). Default: nowhere.
    /// </summary>
    public Func<string, int, IProgress<DeviceOutcome>?> Phase { get; init; } = (_, _) => null;
}
