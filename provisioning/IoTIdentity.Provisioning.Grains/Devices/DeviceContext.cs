namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// One device as its grain's collaborators see it: its id and its durable state. Only the device's grain makes one,
/// so everything done through it runs in the device's single activation, one transition at a time.
/// </summary>
public sealed class DeviceContext(string deviceId, IPersistentState<DeviceState> state)
{
    /// <summary>The device's id (its grain key).</summary>
    public string DeviceId { get; } = deviceId;

    /// <summary>The device's state as last written (or being built by the current transition).</summary>
    public DeviceState State => state.State;

    /// <summary>
    /// Replaces the state in this activation without writing it: for a change that lives only as long as the activation
    /// (a challenge opened or spent, <see cref="DeviceState.Challenges"/>). The next write carries the rest of it along.
    /// </summary>
    internal void Hold(DeviceState next) => state.State = next;

    /// <summary>Replaces the state and writes it (ETag-guarded); <see cref="DeviceLedger"/> is the way to record a change.</summary>
    internal Task WriteAsync(DeviceState next)
    {
        state.State = next;
        return state.WriteStateAsync();
    }
}
