using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Tests.Ek;

/// <summary>How one CA certificate of an <see cref="IssuerChain"/> is made.</summary>
/// <param name="Name">Its subject.</param>
/// <param name="PathLength">Its pathLenConstraint; null for none.</param>
/// <param name="IsCa">What its basic constraints say.</param>
/// <param name="KeyUsage">Its key usage.</param>
/// <param name="Lifetime">How long it is valid, from a day before the chain's time.</param>
/// <param name="UnknownCriticalExtension">Whether it carries a critical extension nobody understands.</param>
/// <param name="BasicConstraints">Whether it carries basic constraints at all.</param>
/// <param name="HasKeyUsage">Whether it carries a key usage extension at all.</param>
public sealed record CaShape(string Name, int? PathLength = null, bool IsCa = true,
    X509KeyUsageFlags KeyUsage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, TimeSpan? Lifetime = null,
    bool UnknownCriticalExtension = false, bool BasicConstraints = true, bool HasKeyUsage = true);

/// <summary>
/// A manufacturer hierarchy with CA certificates shaped by the test (a root, then intermediates, the last one issuing),
/// ECDSA P-256 throughout, and ECC EK certificates issued under it — including ones that no real CA would issue.
/// </summary>
public sealed class IssuerChain : IDisposable
{
    private readonly List<(ECDsa Key, X509Certificate2 Certificate)> _cas = [];

    /// <summary>Creates the root (first shape) and the intermediates below it, in order.</summary>
    public IssuerChain(DateTimeOffset now, params CaShape[] shapes)
    {
        Now = now;
        foreach (CaShape shape in shapes)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(shape.Name, key, HashAlgorithmName.SHA256);
            if (shape.BasicConstraints)
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(shape.IsCa, shape.PathLength.HasValue, shape.PathLength ?? 0, true));
            if (shape.HasKeyUsage)
                request.CertificateExtensions.Add(new X509KeyUsageExtension(shape.KeyUsage, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            if (shape.UnknownCriticalExtension)
                request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], true));
            DateTimeOffset notBefore = now.AddDays(-1), notAfter = now + (shape.Lifetime ?? TimeSpan.FromDays(3650));
            X509Certificate2 certificate = _cas.Count == 0
                ? request.CreateSelfSigned(notBefore, notAfter)
                : Issued(request.Create(_cas[^1].Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_cas[^1].Key), notBefore, notAfter, Serial()));
            _cas.Add((key, certificate));
        }
    }

    /// <summary>The time the chain was made for.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The root, DER.</summary>
    public byte[] RootDer => _cas[0].Certificate.RawData;

    /// <summary>The intermediates, the issuing one first, DER.</summary>
    public IReadOnlyList<byte[]> IntermediatesDer => [.. _cas.Skip(1).Reverse().Select(ca => ca.Certificate.RawData)];

    /// <summary>
    /// An ECC EK certificate signed by <paramref name="signer"/> (the issuing CA's key when null) and naming
    /// <paramref name="issuerName"/> (the issuing CA's subject when null) as its issuer.
    /// </summary>
    public byte[] IssueEk(ECDsa? signer = null, X500DistinguishedName? issuerName = null, TimeSpan? lifetime = null, DateTimeOffset? notBefore = null)
    {
        using var ek = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=EK"), new PublicKey(ek), HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("2.23.133.8.1")], false));
        using X509Certificate2 issued = request.Create(issuerName ?? _cas[^1].Certificate.SubjectName,
            X509SignatureGenerator.CreateForECDsa(signer ?? _cas[^1].Key), notBefore ?? Now.AddDays(-1), Now + (lifetime ?? TimeSpan.FromDays(7300)), Serial());
        return issued.RawData;
    }

    /// <summary>
    /// A well-formed EK certificate whose TBSCertificate names ecdsa-with-SHA384 while the signature outside it is
    /// ecdsa-with-SHA256, correctly made by the issuing CA's key over those octets.
    /// </summary>
    public byte[] IssueEkWithMismatchedSignatureAlgorithm() => Reissue(IssueEk(), innerAlgorithm: "1.2.840.10045.4.3.3");

    /// <summary>
    /// <paramref name="certificate"/>'s TBSCertificate with this chain's issuing CA as issuer, its signature field
    /// <paramref name="innerAlgorithm"/> (ecdsa-with-SHA256 by default), then changed by <paramref name="mutate"/>,
    /// signed by the issuing CA's key with ecdsa-with-SHA256: a certificate of any shape, correctly signed, so a check
    /// after the signature judges it.
    /// </summary>
    public byte[] Reissue(byte[] certificate, Func<byte[], byte[]>? mutate = null, string innerAlgorithm = "1.2.840.10045.4.3.2")
    {
        var tbs = new AsnReader(new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue(), AsnEncodingRules.DER).ReadSequence();
        var tbsWriter = new AsnWriter(AsnEncodingRules.DER);
        using (tbsWriter.PushSequence())
        {
            tbsWriter.WriteEncodedValue(tbs.ReadEncodedValue().Span);
            tbsWriter.WriteEncodedValue(tbs.ReadEncodedValue().Span);
            tbs.ReadEncodedValue();
            using (tbsWriter.PushSequence())
                tbsWriter.WriteObjectIdentifier(innerAlgorithm);
            tbs.ReadEncodedValue();
            tbsWriter.WriteEncodedValue(IssuerName.RawData);
            while (tbs.HasData)
                tbsWriter.WriteEncodedValue(tbs.ReadEncodedValue().Span);
        }
        byte[] tbsBytes = (mutate ?? (b => b))(tbsWriter.Encode());
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbsBytes);
            using (writer.PushSequence())
                writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
            writer.WriteBitString(_cas[^1].Key.SignData(tbsBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
        return writer.Encode();
    }

    /// <summary>The issuing CA's subject name.</summary>
    public X500DistinguishedName IssuerName => _cas[^1].Certificate.SubjectName;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (key, certificate) in _cas)
        {
            key.Dispose();
            certificate.Dispose();
        }
    }

    private static X509Certificate2 Issued(X509Certificate2 certificate)
    {
        using (certificate)
            return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static byte[] Serial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
