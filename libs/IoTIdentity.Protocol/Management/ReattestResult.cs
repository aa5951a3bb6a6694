namespace IoTIdentity.Protocol.Management;

/// <summary>
/// The answer to <c>POST /api/v1/devices/{deviceId}/reattest</c> (202): the signed <c>attest-now</c> command was
/// <c>sent</c> on the device's command topic (a device listening now gets it, one that is not gets it again when it next
/// subscribes), or is <c>pending</c> until the device next subscribes; the device answers with a renewal, a full attestation. <see cref="DeviceDetails.ReattestRequestedAt"/> shows the request until one is accepted.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Delivery"><c>sent</c> or <c>pending</c>.</param>
/// <param name="RequestedAt">When the request was recorded; an attestation accepted after it fulfils it.</param>
public sealed record ReattestResult(string DeviceId, string Delivery, DateTimeOffset RequestedAt);
