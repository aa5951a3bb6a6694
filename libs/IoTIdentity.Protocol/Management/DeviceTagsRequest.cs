namespace IoTIdentity.Protocol.Management;

/// <summary>The body of <c>PUT /api/v1/devices/{deviceId}/tags</c>: the device's tags, replacing the ones it has.</summary>
/// <param name="Tags">At most 32 tags of 1–64 letters, digits and <c>. _ - : = /</c> (e.g. <c>site:berlin</c>, <c>floor=2</c>).</param>
public sealed record DeviceTagsRequest(IReadOnlyList<string> Tags);
