using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.TestKit;

/// <summary>An owner's own root and issuing CA, made with .NET's CertificateRequest (independent of the code under test).</summary>
public sealed class OwnerCa : IDisposable
{
    public OwnerCa(DateTimeOffset now, ECCurve? issuingCurve = null, bool issuingIsCa = true, OwnerCa? signedBy = null,
        TimeSpan? issuingLifetime = null, X509KeyUsageFlags? issuingKeyUsage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)
    {
        RootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Owner Root, O=Owner", RootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        IssuingKey = ECDsa.Create(issuingCurve ?? ECCurve.NamedCurves.nistP256);
        var issuingRequest = new CertificateRequest("CN=Owner Issuing, O=Owner", IssuingKey, HashAlgorithmName.SHA256);
        issuingRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(issuingIsCa, issuingIsCa, 0, true));
        if (issuingKeyUsage is { } usage) issuingRequest.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        issuingRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(issuingRequest.PublicKey, false));
        var signer = signedBy?.Root ?? Root;
        issuingRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer, true, false));
        Issuing = issuingRequest.Create(signer, now.AddDays(-1), now + (issuingLifetime ?? TimeSpan.FromDays(365 * 3)),
            RandomNumberGenerator.GetBytes(16));
    }

    public ECDsa RootKey { get; }

    public X509Certificate2 Root { get; }

    public ECDsa IssuingKey { get; }

    public X509Certificate2 Issuing { get; }

    public byte[] IssuingPkcs8 => IssuingKey.ExportPkcs8PrivateKey();

    /// <summary>What an owner uploads: the issuing certificate followed by the root, PEM.</summary>
    public string ChainPem => Issuing.ExportCertificatePem() + "\n" + Root.ExportCertificatePem();

    /// <summary>The issuing key, PKCS#8 PEM.</summary>
    public string IssuingKeyPem => IssuingKey.ExportPkcs8PrivateKeyPem();

    public void Dispose()
    {
        RootKey.Dispose();
        Root.Dispose();
        IssuingKey.Dispose();
        Issuing.Dispose();
    }
}
