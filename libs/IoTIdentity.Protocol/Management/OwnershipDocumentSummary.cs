namespace IoTIdentity.Protocol.Management;

/// <summary>
/// The parts of an ownership document (<c>GET /api/v1/devices/{deviceId}/ownership</c>) a fleet tool shows; the whole
/// format, and its verifier, are in <see cref="Ownership.OwnershipDocument"/>.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Entries">The chain's entries.</param>
public sealed record OwnershipDocumentSummary(string DeviceId, IReadOnlyList<OwnershipEntrySummary> Entries);
