using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// A tenant's CA (from the test kit) issuing device certificates in the service's layout (O=tenant, CN=id, URI SAN
/// <c>urn:iotidentity:device:{id}</c>, clientAuth), and the <see cref="ITenantTrustSource"/> that knows it, with a
/// revocation set the test controls.
/// </summary>
internal sealed class TenantDevices : ITenantTrustSource, IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);

    public TenantDevices(string tenantId = "acme", OwnerCa? ca = null, TimeProvider? clock = null)
    {
        TenantId = tenantId;
        Ca = ca ?? new OwnerCa(DateTimeOffset.UtcNow);
        Verifier = new TenantCaCertificateVerifier(this, clock);
    }

    /// <summary>Issuing CAs a rotation retired, trusted beside the current one.</summary>
    public List<X509Certificate2> Retired { get; } = [];

    public string TenantId { get; }
    public OwnerCa Ca { get; }
    public TenantCaCertificateVerifier Verifier { get; }

    /// <summary>
    /// A device certificate with its private key, issued by this tenant's issuing CA (or by <paramref name="issuer"/>),
    /// with clientAuth and a critical digitalSignature key usage (or <paramref name="extensions"/> in their place).
    /// </summary>
    public X509Certificate2 Issue(string deviceId, string? tenant = null, OwnerCa? issuer = null, DateTimeOffset? notAfter = null, string? uriSan = null,
        IEnumerable<X509Extension>? extensions = null, DateTimeOffset? notBefore = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={deviceId}, O={tenant ?? TenantId}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(uriSan ?? DeviceCertificates.DeviceUriPrefix + deviceId));
        request.CertificateExtensions.Add(san.Build());
        foreach (var extension in extensions ??
            [new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false), new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true)])
            request.CertificateExtensions.Add(extension);
        var ca = issuer ?? Ca;
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca.Issuing.SubjectName, X509SignatureGenerator.CreateForECDsa(ca.IssuingKey),
            notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        // a PKCS#12 round trip gives SslStream a certificate whose key it can use on every platform
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Revoke(X509Certificate2 certificate) => _revoked[certificate.SerialNumber.ToUpperInvariant()] = true;

    public ValueTask<TenantTrust?> GetTrustAsync(string tenantId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(tenantId == TenantId ? new TenantTrust(Ca.Root, Ca.Issuing, [.. Retired]) : null);

    public ValueTask<bool> IsRevokedAsync(string tenantId, string serialNumber, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_revoked.ContainsKey(serialNumber));

    public void Dispose() => Ca.Dispose();
}
