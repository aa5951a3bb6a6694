using System.Formats.Asn1;
using System.Security.Cryptography;

namespace IoTIdentity.Simulator.Swtpm.Manufacturing;

/// <summary>
/// Rewrites an issued certificate the way some vendors' certificates really are (a negative or non-minimal serial)
/// and signs the altered TBSCertificate again, so the result is validly signed but not DER.
/// </summary>
internal static class CertificateSurgery
{
    public static byte[] Resign(byte[] certificate, AsymmetricAlgorithm issuerKey, EkSerialEncoding serial, bool corruptSignature)
    {
        var outer = new AsnReader(certificate, AsnEncodingRules.DER).ReadSequence();
        byte[] tbs = outer.ReadEncodedValue().ToArray();
        byte[] signatureAlgorithm = outer.ReadEncodedValue().ToArray();

        if (serial != EkSerialEncoding.Canonical)
            tbs = ReplaceSerial(tbs, serial);
        byte[] signature = issuerKey is ECDsa ecdsa
            ? ecdsa.SignData(tbs, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            : ((RSA)issuerKey).SignData(tbs, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (corruptSignature)
            signature[signature.Length / 2] ^= 0x01;

        byte[] bitString = [0x03, .. Length(signature.Length + 1), 0x00, .. signature];
        return Sequence([.. tbs, .. signatureAlgorithm, .. bitString]);
    }

    private static byte[] ReplaceSerial(byte[] tbs, EkSerialEncoding encoding)
    {
        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        byte[] version = fields.ReadEncodedValue().ToArray();
        fields.ReadEncodedValue();
        var rest = new List<byte>();
        while (fields.HasData)
            rest.AddRange(fields.ReadEncodedValue().ToArray());

        byte[] value = RandomNumberGenerator.GetBytes(16);
        // negative: the first byte 0x80..0xFE — a leading 0xFF followed by a byte with its top bit set would also be
        // non-minimal DER (1 time in 256 it was, and a test that expects only the sign to be odd failed)
        if (encoding == EkSerialEncoding.Negative)
            value[0] = (byte)(0x80 | (value[0] % 0x7F));
        else
            value = [0x00, (byte)(value[0] & 0x7F), .. value[1..]];
        byte[] serial = [0x02, .. Length(value.Length), .. value];
        return Sequence([.. version, .. serial, .. rest]);
    }

    private static byte[] Sequence(byte[] content) => [0x30, .. Length(content.Length), .. content];

    private static byte[] Length(int length) => length switch
    {
        < 0x80 => [(byte)length],
        < 0x100 => [0x81, (byte)length],
        _ => [0x82, (byte)(length >> 8), (byte)length],
    };
}
