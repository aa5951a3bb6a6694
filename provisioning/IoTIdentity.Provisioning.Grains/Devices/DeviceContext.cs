namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// One device as its grain's collaborators see it: its id and its durable state. Only the device's grain makes one,
/// so everything done through it runs in the device's single activation, one transition at a time.
/// </summary>
/// <remarks>Orleans reads the state when the grain activates; <see cref="DeviceLedger"/> writes it, with the change's
/// audit entry and inventory row, through the store's <see cref="Storage.IProvisioningStore.WriteDeviceChangeAsync"/>
/// under the document name Orleans reads it from (<see cref="GrainStateKeys"/>), so this context keeps the ETag from
/// the first write on.</remarks>
public sealed class DeviceContext(GrainId grainId, IPersistentState<DeviceState> state)
{
    private const string StateName = "device";

    // set by the first write of this activation (a stored state always has an ETag); until then Orleans' read holds it
    private string? _etag;

    // set by the first Hold: the activation then holds state the store may not have (a challenge; once it is spent, the
    // tenant whose log the device's later refusals go to)
    private bool _held;

    /// <summary>The device's id (its grain key).</summary>
    public string DeviceId { get; } = GrainStateKeys.Key(grainId);

    /// <summary>The device's state as last written (or being built by the current transition).</summary>
    public DeviceState State => state.State;

    /// <summary>The stored state document's kind and key (as the grain storage names it).</summary>
    internal (string Kind, string Key) Document { get; } = (GrainStateKeys.Kind(StateName, grainId), GrainStateKeys.Key(grainId));

    /// <summary>The ETag of the stored state (null while none is stored): what the next write expects.</summary>
    internal string? ETag => _etag ?? state.Etag;

    /// <summary>
    /// Replaces the state in this activation without writing it: for a change that lives only as long as the activation
    /// (a challenge opened or spent, <see cref="DeviceState.Challenges"/>). The next write carries the rest of it along.
    /// </summary>
    internal void Hold(DeviceState next)
    {
        state.State = next;
        _held = true;
    }

    /// <summary>
    /// Whether this activation holds nothing at all: no stored record (none was read when it activated, none written
    /// since — Orleans' <c>RecordExists</c> misses <see cref="DeviceLedger"/>'s writes) and no state held beside the store.
    /// </summary>
    internal bool Blank => ETag is null && !_held;

    /// <summary>Takes <paramref name="next"/> as the state, stored with <paramref name="etag"/>; only <see cref="DeviceLedger"/> writes.</summary>
    internal void Stored(DeviceState next, string etag)
    {
        state.State = next;
        _etag = etag;
    }
}
