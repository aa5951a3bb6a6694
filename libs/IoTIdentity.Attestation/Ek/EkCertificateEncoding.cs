using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// The byte-level side of EK certificate handling: strict loading and the minimal repair that lets a certificate with
/// a non-minimally encoded serial be parsed. (The signature over the TBSCertificate octets as received is checked by
/// <see cref="Crypto.CertificateSignatures"/>.)
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
    /// The result's signature no longer verifies; verify the original with <see cref="Crypto.CertificateSignatures.Verify"/>.
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
