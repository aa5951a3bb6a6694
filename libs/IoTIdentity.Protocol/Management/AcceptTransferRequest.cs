namespace IoTIdentity.Protocol.Management;

/// <summary>The (optional) body of <c>POST /api/v1/transfers/{transferId}/accept</c>.</summary>
/// <param name="GroupId">The target group to enrol the devices into; null: the target's groups are resolved as usual.</param>
public sealed record AcceptTransferRequest(string? GroupId);
