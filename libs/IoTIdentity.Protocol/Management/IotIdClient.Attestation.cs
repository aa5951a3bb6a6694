namespace IoTIdentity.Protocol.Management;

/// <summary>A device's attestations: its history, and an operator's request that it attest again.</summary>
public sealed partial class IotIdClient
{
    /// <summary><c>GET /api/v1/devices/{deviceId}/attestations</c>: its recent accepted attestations, newest first, with PCRs and the release matched.</summary>
    public Task<ApiResult<IReadOnlyList<DeviceAttestation>>> GetDeviceAttestationsAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/api/v1/devices/{Segment(deviceId)}/attestations", null, Json.IReadOnlyListDeviceAttestation, cancellationToken);

    /// <summary><c>POST /api/v1/devices/{deviceId}/reattest</c> (operator): asks the device to attest again now.</summary>
    public Task<ApiResult<ReattestResult>> ReattestDeviceAsync(string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/devices/{Segment(deviceId)}/reattest", null, Json.ReattestResult, cancellationToken);
}
