using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Decides whether a client certificate presented on the TLS handshake is a current device certificate: issued by
/// its tenant's issuing CA, within its validity, and not revoked. The endpoint calls it once per CONNECT that carries
/// a certificate; without a registered verifier every presented certificate is refused (never trusted by default).
/// </summary>
public interface IDeviceCertificateVerifier
{
    /// <summary>The device id the certificate authenticates, or the reason it does not.</summary>
    ValueTask<DeviceCertificateVerdict> VerifyAsync(X509Certificate2 certificate, CancellationToken cancellationToken);
}
