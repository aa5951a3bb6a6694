using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Verifies a device's client certificate against its own tenant's CA. In order:
/// <list type="number">
/// <item>one <c>urn:iotidentity:device:</c> URI SAN with a valid device id;</item>
/// <item>a subject O= naming the tenant, and the tenant is known;</item>
/// <item>the certificate is within its validity now;</item>
/// <item>it is a device certificate: not a CA by its basic constraints, a key usage (when present) with
/// digitalSignature, an extended key usage (when present) with clientAuth, every critical extension one that is
/// understood (key usage, extended key usage, subject alternative name, basic constraints, certificate policies);</item>
/// <item>it was issued by one of the tenant's issuing CAs — the current one or one a rotation retired while its
/// certificates are current — and nothing else (the machine's roots play no part): the CA's subject is its issuer name
/// octet for octet and the CA's key verifies its signature; the CA's own path to the tenant's root is verified once
/// and kept by its hash (<see cref="VerifiedIssuingCa"/>), and the CA and the root must be valid now. A path that
/// constrains names or policies is judged by a full chain build instead. A certificate that matches none of the CAs is
/// checked once more against the tenant's CAs read afresh;</item>
/// <item>its serial is not revoked.</item>
/// </list>
/// </summary>
public sealed class TenantCaCertificateVerifier(ITenantTrustSource trust, TimeProvider? timeProvider = null) : IDeviceCertificateVerifier
{
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private static readonly HashSet<string> UnderstoodCriticalExtensions = ["2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.32", "2.5.29.37"];

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, VerifiedIssuingCa> _issuingCas = new(StringComparer.Ordinal);

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
        if (NotADeviceCertificate(certificate) is { } profile) return DeviceCertificateVerdict.Refused(profile);
        if (!IssuedBy(certificate, tenant, now)
            && (await trust.ReloadTrustAsync(tenantId, cancellationToken).ConfigureAwait(false) is not { } reloaded || !IssuedBy(certificate, reloaded, now)))
            return DeviceCertificateVerdict.Refused($"not issued by an issuing CA of tenant {tenantId}");
        if (await trust.IsRevokedAsync(tenantId, certificate.SerialNumber.ToUpperInvariant(), cancellationToken).ConfigureAwait(false))
            return DeviceCertificateVerdict.Refused("revoked");
        return DeviceCertificateVerdict.Authenticated(deviceId, tenantId);
    }

    /// <summary>Why the certificate's extensions do not make it a device certificate, or null when they do.</summary>
    private static string? NotADeviceCertificate(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Critical && !UnderstoodCriticalExtensions.Contains(extension.Oid?.Value ?? ""))
                return $"a critical extension that is not understood ({extension.Oid?.Value})";
            switch (extension)
            {
                case X509BasicConstraintsExtension { CertificateAuthority: true }:
                    return "a CA certificate";
                case X509KeyUsageExtension usage when !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature):
                    return "its key usage lacks digitalSignature";
                case X509EnhancedKeyUsageExtension purposes when !purposes.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ClientAuth):
                    return "its extended key usage lacks clientAuth";
            }
        }
        return null;
    }

    private bool IssuedBy(X509Certificate2 certificate, TenantTrust tenant, DateTime now) =>
        tenant.IssuingCas.Any(issuing => IssuedBy(certificate, tenant.Root, issuing, now));

    private bool IssuedBy(X509Certificate2 certificate, X509Certificate2 root, X509Certificate2 issuing, DateTime now)
    {
        var ca = VerifiedIssuingCa.Get(_issuingCas, root, issuing);
        if (ca.Failure is not null || !ca.IsValidAt(now)) return false;
        return ca.JudgedPerCertificate ? ChainsTo(certificate, root, issuing, now) : ca.Issued(certificate);
    }

    /// <summary>The full chain build, for a path whose name or policy constraints the certificate must meet.</summary>
    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root, X509Certificate2 issuing, DateTime now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(issuing);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate)) return false;
        return chain.ChainElements.Count >= 3
            && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(issuing.RawData)
            && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
    }
}
