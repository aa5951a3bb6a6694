namespace IoTIdentity.Simulator.Factory;

/// <summary>What plays the devices' TPMs.</summary>
public enum TpmKind
{
    /// <summary>A pool of swtpm processes, the fleet kept in <c>fleet.json</c>: the realistic devices.</summary>
    Swtpm,

    /// <summary>In-process emulated TPMs (<see cref="Emulation.EmulatedTpm"/>), made fresh each run: a load generator that costs little.</summary>
    Emulated,
}
