namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// What <see cref="IDeviceCertificateVerifier"/> found: the authenticated device id, or a short reason for the log
/// (never shown to the peer).
/// </summary>
public sealed record DeviceCertificateVerdict
{
    private DeviceCertificateVerdict(string? deviceId, string? failure) => (DeviceId, Failure) = (deviceId, failure);

    /// <summary>The device id of the certificate's URI SAN, when it verified.</summary>
    public string? DeviceId { get; }

    /// <summary>Why the certificate did not verify (for logs), when it did not.</summary>
    public string? Failure { get; }

    /// <summary>The certificate verified and names <paramref name="deviceId"/>.</summary>
    public static DeviceCertificateVerdict Authenticated(string deviceId) => new(deviceId, null);

    /// <summary>The certificate did not verify, for <paramref name="reason"/>.</summary>
    public static DeviceCertificateVerdict Refused(string reason) => new(null, reason);
}
