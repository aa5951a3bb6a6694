using IoTIdentity.DeviceAgent.Enrollment;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The service a fleet enrols against, already trusting the fleet's manufacturer: in-process
/// (<see cref="ServiceTarget"/>), a process of its own (<see cref="ServiceProcess"/>) or someone else's deployment
/// (<see cref="RemoteTarget"/>).
/// </summary>
public interface IServiceTarget : IAsyncDisposable
{
    /// <summary>How devices reach its MQTT endpoint.</summary>
    EnrollmentClientOptions ClientOptions { get; }

    /// <summary>CPU time the service has used so far, when it can be read (its own process on this machine); else null.</summary>
    TimeSpan? CpuTime { get; }

    /// <summary>
    /// The HTTP API with a key of the fleet's tenant, for scenarios that act as an operator too (disable, revoke,
    /// transfer); null when the target cannot give one.
    /// </summary>
    Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The HTTP API with the service administrator's key (<c>iotid-admin.…</c>), for scenarios that create tenants
    /// (transfer); null when the target does not know it.
    /// </summary>
    Task<ServiceApi?> GetAdminApiAsync(CancellationToken cancellationToken);
}
