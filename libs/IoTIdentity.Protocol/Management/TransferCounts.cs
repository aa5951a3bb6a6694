namespace IoTIdentity.Protocol.Management;

/// <summary>How many devices of a transfer are in each state.</summary>
/// <param name="Pending">Not accepted yet.</param>
/// <param name="CommandSent">Told to re-enrol.</param>
/// <param name="Reenrolled">Holding the new owner's certificate.</param>
/// <param name="Failed">Could not be moved.</param>
public sealed record TransferCounts(int Pending, int CommandSent, int Reenrolled, int Failed);
