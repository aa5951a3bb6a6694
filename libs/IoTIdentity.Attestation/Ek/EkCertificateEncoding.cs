using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// The byte-level side of EK certificate handling: strict loading, the minimal repair that lets a certificate with a
/// non-minimally encoded serial be parsed, and signature verification over the TBSCertificate octets as received.
/// </summary>
internal static class EkCertificateEncoding
{
    /// <summary>Loads a DER certificate, or returns null when .NET refuses it.</summary>
    public static X509Certificate2? TryLoad(byte[] der)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Re-encodes the serial number INTEGER minimally and leaves every other octet alone. Returns null when the
    /// certificate's framing cannot be read or the serial was already minimal (so the defect is elsewhere).
    /// The result's signature no longer verifies; verify the original with <see cref="VerifySignature"/>.
    /// </summary>
    public static byte[]? RepairSerialNumber(byte[] der)
    {
        try
        {
            var certificate = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            var tbs = new AsnReader(certificate.ReadEncodedValue(), AsnEncodingRules.BER).ReadSequence();
            ReadOnlyMemory<byte> signatureAlgorithm = certificate.ReadEncodedValue();
            ReadOnlyMemory<byte> signature = certificate.ReadEncodedValue();

            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                        writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                    ReadOnlyMemory<byte> serial = tbs.ReadEncodedValue();
                    ReadOnlySpan<byte> content = SerialContent(serial.Span);
                    ReadOnlySpan<byte> minimal = Minimal(content);
                    if (minimal.Length == content.Length)
                        return null;
                    writer.WriteInteger(minimal);
                    while (tbs.HasData)
                        writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                }
                writer.WriteEncodedValue(signatureAlgorithm.Span);
                writer.WriteEncodedValue(signature.Span);
            }
            return writer.Encode();
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Verifies the certificate's signature over its TBSCertificate exactly as received, with the issuer's key, after
    /// checking that the signature algorithm inside the TBSCertificate is the one outside it (RFC 5280, 4.1.1.2).
    /// Supports PKCS#1 v1.5 RSA and ECDSA with SHA-1/256/384/512, which is what TPM manufacturers use.
    /// </summary>
    public static bool VerifySignature(byte[] der, AsymmetricAlgorithm issuerKey)
    {
        try
        {
            var certificate = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            ReadOnlyMemory<byte> tbs = certificate.ReadEncodedValue();
            ReadOnlyMemory<byte> outerAlgorithm = certificate.PeekEncodedValue();
            string algorithm = certificate.ReadSequence().ReadObjectIdentifier();
            byte[] signature = certificate.ReadBitString(out int unusedBits);
            if (unusedBits != 0 || !InnerSignatureAlgorithm(tbs).Span.SequenceEqual(outerAlgorithm.Span))
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

    /// <summary>The content octets of an INTEGER TLV, read without the minimal-encoding check.</summary>
    private static ReadOnlySpan<byte> SerialContent(ReadOnlySpan<byte> tlv)
    {
        if (tlv.Length < 3 || tlv[0] != 0x02)
            throw new AsnContentException("The serial number is not an INTEGER.");
        AsnDecoder.ReadEncodedValue(tlv, AsnEncodingRules.BER, out int contentOffset, out int contentLength, out _);
        return tlv.Slice(contentOffset, contentLength);
    }

    /// <summary>Drops leading 0x00 (or 0xFF) octets that do not change the two's complement value.</summary>
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        while (value.Length > 1 && ((value[0] == 0x00 && value[1] < 0x80) || (value[0] == 0xFF && value[1] >= 0x80)))
            value = value[1..];
        return value;
    }
}
