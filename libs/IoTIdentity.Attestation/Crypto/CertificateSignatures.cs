using System.Formats.Asn1;
using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// A certificate's signature checked directly with its issuer's key, for a verifier that has verified the issuer
/// once and keeps its key: no chain is built, nothing is looked up in a certificate store.
/// </summary>
public static class CertificateSignatures
{
    /// <summary>
    /// Verifies the certificate's signature over its TBSCertificate exactly as received, with the issuer's key, after
    /// checking that the signature algorithm inside the TBSCertificate is the one outside it (RFC 5280, 4.1.1.2).
    /// Supports PKCS#1 v1.5 RSA and ECDSA with SHA-1/256/384/512 (what TPM manufacturers and the service's CAs use);
    /// any other algorithm, a key of the other kind, or octets that do not parse is false.
    /// </summary>
    public static bool Verify(ReadOnlyMemory<byte> der, AsymmetricAlgorithm issuerKey)
    {
        try
        {
            var certificate = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            ReadOnlyMemory<byte> tbs = certificate.ReadEncodedValue();
            ReadOnlyMemory<byte> outerAlgorithm = certificate.PeekEncodedValue();
            string algorithm = certificate.ReadSequence().ReadObjectIdentifier();
            byte[] signature = certificate.ReadBitString(out int unusedBits);
            if (unusedBits != 0 || certificate.HasData || !InnerSignatureAlgorithm(tbs).Span.SequenceEqual(outerAlgorithm.Span))
                return false;
            return (algorithm, issuerKey) switch
            {
                ("1.2.840.113549.1.1.5", RSA rsa) => rsa.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1),
                ("1.2.840.113549.1.1.11", RSA rsa) => rsa.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                ("1.2.840.113549.1.1.12", RSA rsa) => rsa.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
                ("1.2.840.113549.1.1.13", RSA rsa) => rsa.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
                ("1.2.840.10045.4.1", ECDsa ecdsa) => VerifyEcdsa(ecdsa, tbs.Span, signature, HashAlgorithmName.SHA1),
                ("1.2.840.10045.4.3.2", ECDsa ecdsa) => VerifyEcdsa(ecdsa, tbs.Span, signature, HashAlgorithmName.SHA256),
                ("1.2.840.10045.4.3.3", ECDsa ecdsa) => VerifyEcdsa(ecdsa, tbs.Span, signature, HashAlgorithmName.SHA384),
                ("1.2.840.10045.4.3.4", ECDsa ecdsa) => VerifyEcdsa(ecdsa, tbs.Span, signature, HashAlgorithmName.SHA512),
                _ => false,
            };
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    private static bool VerifyEcdsa(ECDsa key, ReadOnlySpan<byte> tbs, byte[] signature, HashAlgorithmName hash) =>
        key.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>The TBSCertificate's signature field (after the optional version and the serial), encoded.</summary>
    private static ReadOnlyMemory<byte> InnerSignatureAlgorithm(ReadOnlyMemory<byte> tbsCertificate)
    {
        var tbs = new AsnReader(tbsCertificate, AsnEncodingRules.BER).ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            tbs.ReadEncodedValue();
        tbs.ReadEncodedValue();
        return tbs.ReadEncodedValue();
    }
}
