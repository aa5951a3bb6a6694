namespace IoTIdentity.Protocol.Management;

/// <summary><c>POST /api/v1/transfers</c> (owner-admin of the source).</summary>
/// <param name="TargetTenantId">The tenant that is to receive the devices.</param>
/// <param name="DeviceIds">1..1000 distinct device ids of the caller.</param>
/// <param name="RevokeOldCertificateAt"><see cref="TransferPolicies.Acceptance"/> or <see cref="TransferPolicies.Reenrollment"/> (default).</param>
/// <param name="ExpiresInHours">How long the target has to accept, 1..720 (default 72).</param>
public sealed record CreateTransferRequest(string? TargetTenantId, IReadOnlyList<string>? DeviceIds,
    string? RevokeOldCertificateAt = TransferPolicies.Reenrollment, int? ExpiresInHours = 72);
