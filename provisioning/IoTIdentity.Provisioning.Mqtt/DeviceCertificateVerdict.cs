namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// What <see cref="IDeviceCertificateVerifier"/> found: the authenticated device id, or a short reason for the log
/// (never shown to the peer).
/// </summary>
public sealed record DeviceCertificateVerdict
{
    private DeviceCertificateVerdict(string? deviceId, string? failure, string? tenantId = null) => (DeviceId, Failure, TenantId) = (deviceId, failure, tenantId);

    /// <summary>The device id of the certificate's URI SAN, when it verified.</summary>
    public string? DeviceId { get; }

    /// <summary>The tenant that issued the certificate, when the verifier knows it.</summary>
    public string? TenantId { get; }

    /// <summary>Why the certificate did not verify (for logs), when it did not.</summary>
    public string? Failure { get; }

    /// <summary>The certificate verified and names <paramref name="deviceId"/> (issued by <paramref name="tenantId"/>, when known).</summary>
    public static DeviceCertificateVerdict Authenticated(string deviceId, string? tenantId = null) => new(deviceId, null, tenantId);

    /// <summary>The certificate did not verify, for <paramref name="reason"/>.</summary>
    public static DeviceCertificateVerdict Refused(string reason) => new(null, reason);
}
