using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Verifies a device's client certificate against its own tenant's CA. In order: one
/// <c>urn:iotidentity:device:</c> URI SAN with a valid device id; a subject O= naming the tenant; the tenant is known;
/// the certificate is within its validity now; it chains to the tenant's root through one of the tenant's issuing CAs
/// — the current one or one a rotation retired while its certificates are current — and nothing else (the machine's
/// roots play no part; a certificate that chains to none is checked once more against the tenant's CAs read afresh);
/// its serial is not revoked.
/// </summary>
public sealed class TenantCaCertificateVerifier(ITenantTrustSource trust, TimeProvider? timeProvider = null) : IDeviceCertificateVerifier
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc/>
    public async ValueTask<DeviceCertificateVerdict> VerifyAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var deviceId = DeviceCertificates.DeviceIdOf(certificate);
        if (deviceId is null || !DeviceIds.IsValid(deviceId)) return DeviceCertificateVerdict.Refused("no single valid device id URI SAN");
        var tenantId = DeviceCertificates.TenantIdOf(certificate);
        if (string.IsNullOrEmpty(tenantId)) return DeviceCertificateVerdict.Refused("no tenant (O=) in the subject");
        var tenant = await trust.GetTrustAsync(tenantId, cancellationToken).ConfigureAwait(false);
        if (tenant is null) return DeviceCertificateVerdict.Refused($"unknown tenant {tenantId}");
        var now = _time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
            return DeviceCertificateVerdict.Refused("outside its validity");
        if (!ChainsTo(certificate, tenant, now)
            && (await trust.ReloadTrustAsync(tenantId, cancellationToken).ConfigureAwait(false) is not { } reloaded || !ChainsTo(certificate, reloaded, now)))
            return DeviceCertificateVerdict.Refused($"not issued by an issuing CA of tenant {tenantId}");
        if (await trust.IsRevokedAsync(tenantId, certificate.SerialNumber.ToUpperInvariant(), cancellationToken).ConfigureAwait(false))
            return DeviceCertificateVerdict.Refused("revoked");
        return DeviceCertificateVerdict.Authenticated(deviceId, tenantId);
    }

    private static bool ChainsTo(X509Certificate2 certificate, TenantTrust tenant, DateTime now) =>
        tenant.IssuingCas.Any(issuing => ChainsTo(certificate, tenant.Root, issuing, now));

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root, X509Certificate2 issuing, DateTime now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(issuing);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate)) return false;
        return chain.ChainElements.Count >= 3
            && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(issuing.RawData)
            && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
    }
}
