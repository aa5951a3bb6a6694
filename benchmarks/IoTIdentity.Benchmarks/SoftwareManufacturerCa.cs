using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Benchmarks;

/// <summary>
/// A TPM manufacturer in software: a root, an issuing intermediate and EK certificates shaped like the ones vendors
/// ship (TCG EK Credential Profile 2.x: empty subject, critical SAN naming the TPM, keyEncipherment or keyAgreement,
/// tcg-kp-EKCertificate). RSA-2048 CAs sign RSA EK certificates, P-256 CAs sign ECC ones, as vendors pair them.
/// </summary>
internal sealed class SoftwareManufacturerCa : IDisposable
{
    private readonly AsymmetricAlgorithm _rootKey;
    private readonly AsymmetricAlgorithm _issuerKey;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _issuer;

    public SoftwareManufacturerCa(string name, bool ecdsa)
    {
        DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddDays(-1), notAfter = notBefore.AddYears(20);
        _rootKey = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        _root = CaRequest($"CN={name} Root CA, O=Benchmark TPM Vendor", _rootKey, pathLength: null).CreateSelfSigned(notBefore, notAfter);
        _issuerKey = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var request = CaRequest($"CN={name} EK Issuing CA, O=Benchmark TPM Vendor", _issuerKey, pathLength: 0);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        using X509Certificate2 issued = request.Create(_root.SubjectName, Signer(_rootKey), notBefore, notAfter, Serial());
        _issuer = X509CertificateLoader.LoadCertificate(issued.RawData);
    }

    /// <summary>The root a verifier trusts, DER.</summary>
    public byte[] RootDer => _root.RawData;

    /// <summary>The intermediate a device presents beside its EK certificate, DER.</summary>
    public byte[] IntermediateDer => _issuer.RawData;

    /// <summary>An EK certificate for <paramref name="ekPublic"/> (an RSA or ECDH public key).</summary>
    public byte[] IssueEkCertificate(AsymmetricAlgorithm ekPublic)
    {
        var key = ekPublic switch
        {
            RSA rsa => new PublicKey(rsa),
            ECDiffieHellman ecdh => new PublicKey(ecdh),
            _ => throw new ArgumentException("an EK is RSA or ECC", nameof(ekPublic)),
        };
        var usage = ekPublic is RSA ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement;
        var request = new CertificateRequest(new X500DistinguishedName([0x30, 0x00]), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("2.23.133.8.1")], critical: false));
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", TpmSubjectAlternativeName(), critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_issuer, true, false));
        using X509Certificate2 issued = request.Create(_issuer.SubjectName, Signer(_issuerKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(15), Serial());
        return issued.RawData;
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _issuerKey.Dispose();
        _root.Dispose();
        _issuer.Dispose();
    }

    /// <summary>SAN: one directoryName with tcg-at-tpmManufacturer, -tpmModel, -tpmVersion (as Infineon writes them).</summary>
    private static byte[] TpmSubjectAlternativeName()
    {
        var name = new X500DistinguishedNameBuilder();
        name.Add("2.23.133.2.1", "id:49465800", UniversalTagNumber.UTF8String);
        name.Add("2.23.133.2.2", "SLB9672", UniversalTagNumber.UTF8String);
        name.Add("2.23.133.2.3", "id:00100000", UniversalTagNumber.UTF8String);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4)))
            writer.WriteEncodedValue(name.Build().RawData);
        return writer.Encode();
    }

    private static CertificateRequest CaRequest(string subject, AsymmetricAlgorithm key, int? pathLength)
    {
        var request = key is ECDsa ecdsa
            ? new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256)
            : new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static X509SignatureGenerator Signer(AsymmetricAlgorithm key) => key is ECDsa ecdsa
        ? X509SignatureGenerator.CreateForECDsa(ecdsa)
        : X509SignatureGenerator.CreateForRSA((RSA)key, RSASignaturePadding.Pkcs1);

    private static byte[] Serial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
