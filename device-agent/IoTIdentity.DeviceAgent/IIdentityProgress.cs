namespace IoTIdentity.DeviceAgent;

/// <summary>
/// Observes an enrolment or a rotation as it passes each <see cref="IdentityCheckpoint"/>. The agent itself uses
/// <see cref="None"/>; a host embedding the agent (the power-loss tests' host kills the process at one checkpoint)
/// passes its own.
/// </summary>
public interface IIdentityProgress
{
    /// <summary>An observer that does nothing.</summary>
    static IIdentityProgress None { get; } = new NoProgress();

    /// <summary>Called synchronously when <paramref name="checkpoint"/> is reached.</summary>
    void Reached(IdentityCheckpoint checkpoint);

    private sealed class NoProgress : IIdentityProgress
    {
        public void Reached(IdentityCheckpoint checkpoint)
        {
        }
    }
}
