namespace IoTIdentity.Protocol.Management;

/// <summary><c>POST /api/v1/devices/{deviceId}/links</c> (operator): the two devices are one TPM's.</summary>
/// <param name="DeviceId">The tenant's other device id of the same TPM.</param>
public sealed record DeviceLinkRequest(string? DeviceId);
