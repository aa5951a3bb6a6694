using IoTIdentity.Protocol;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// Refusals that the same request meets again until an operator acts (admits, re-enables or re-trusts the device):
/// the daemon does not retry them like a network failure.
/// </summary>
internal static class PermanentRefusals
{
    public static bool Contains(ProvisioningError error) => error is ProvisioningError.Revoked or ProvisioningError.NotEnrolled
        or ProvisioningError.Disabled or ProvisioningError.UntrustedEkCertificate or ProvisioningError.EkCertificateNotTimeValid
        or ProvisioningError.InvalidEkCertificate or ProvisioningError.EkMismatch or ProvisioningError.QuotaExceeded
        or ProvisioningError.PcrPolicyViolation or ProvisioningError.MeasurementNotAllowed;
}
