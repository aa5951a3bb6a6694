namespace IoTIdentity.Protocol.Management;

/// <summary>One device's progress in a transfer.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="State">Pending, CommandSent, Reenrolled or Failed.</param>
/// <param name="UpdatedAt">When its state last changed.</param>
/// <param name="NewSerialNumber">The certificate the new owner issued, once re-enrolled.</param>
/// <param name="Error">Why it failed.</param>
public sealed record TransferDevice(string DeviceId, string State, DateTimeOffset UpdatedAt, string? NewSerialNumber, string? Error);
