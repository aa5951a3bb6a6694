namespace IoTIdentity.Protocol.Management;

/// <summary>The values of <c>revokeOldCertificateAt</c>: when a transfer revokes the old owner's certificates.</summary>
public static class TransferPolicies
{
    /// <summary>Revoke the old owner's certificates when the target accepts.</summary>
    public const string Acceptance = "acceptance";

    /// <summary>Revoke them when the device has re-enrolled for the target (the default: no gap in service).</summary>
    public const string Reenrollment = "reenrollment";
}
