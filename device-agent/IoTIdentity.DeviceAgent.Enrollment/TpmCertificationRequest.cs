using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// A PKCS#10 certificate request (RFC 2986) signed inside the TPM. .NET's CertificateRequest needs the private key in
/// process, so the CertificationRequestInfo is encoded here (subject <c>CN=deviceId</c>, the TPM key's
/// SubjectPublicKeyInfo, no attributes), its SHA-256 digest signed with TPM2_Sign, and the signature wrapped:
/// RSASSA-PKCS1-v1_5 as is, ECDSA as DER <c>SEQUENCE { r, s }</c>.
/// </summary>
internal static class TpmCertificationRequest
{
    private const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    public static async Task<byte[]> CreateAsync(IEnrollmentTpm tpm, LoadedKey key, string commonName, CancellationToken cancellationToken)
    {
        var info = RequestInfo(commonName, TpmPublicKeys.SubjectPublicKeyInfo(key.Public.Value));
        var signature = await tpm.SignDigestAsync(key, SHA256.HashData(info), TpmAlgId.Sha256, cancellationToken).ConfigureAwait(false);
        var (algorithm, value) = signature switch
        {
            TpmsSignatureRsa { Scheme: TpmAlgId.RsaSsa } rsa => (Sha256WithRsa, rsa.Signature),
            TpmsSignatureEcc { Scheme: TpmAlgId.EcDsa } ecc => (EcdsaWithSha256, DerEcdsa(ecc.R, ecc.S)),
            _ => throw new InvalidOperationException($"the device key signed with {signature.SigAlg}, which a CSR cannot carry"),
        };
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(info);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(algorithm);
                if (algorithm == Sha256WithRsa) writer.WriteNull();
            }
            writer.WriteBitString(value);
        }
        return writer.Encode();
    }

    /// <summary>The ECDSA signature <c>r || s</c> (IEEE P1363), each left-padded to the curve size.</summary>
    public static byte[] P1363(TpmsSignatureEcc signature, int coordinateSize) =>
        [.. TpmPublicKeys.LeftPad(signature.R, coordinateSize), .. TpmPublicKeys.LeftPad(signature.S, coordinateSize)];

    private static byte[] RequestInfo(string commonName, byte[] subjectPublicKeyInfo)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            writer.WriteEncodedValue(subject.Build().RawData);
            writer.WriteEncodedValue(subjectPublicKeyInfo);
            using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0))) { }
        }
        return writer.Encode();
    }

    /// <summary>The ECDSA signature as DER <c>SEQUENCE { r, s }</c> (X.509, CSRs, TLS).</summary>
    public static byte[] DerEcdsa(byte[] r, byte[] s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimLeadingZeros(r));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(s));
        }
        return writer.Encode();
    }

    private static byte[] TrimLeadingZeros(byte[] value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0) start++;
        return value[start..];
    }
}
