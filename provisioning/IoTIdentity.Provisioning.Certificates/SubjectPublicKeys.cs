using System.Formats.Asn1;
using System.Numerics;
using IoTIdentity.Attestation.Keys;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Reads a SubjectPublicKeyInfo strictly (DER, nothing trailing) and re-encodes it canonically, so two encodings of
/// one key (rsaEncryption parameters NULL or absent, say) compare equal byte for byte. Accepts what a TPM can hold
/// and this service signs for: RSA 2048–16384 bits with an odd exponent ≥ 3, and ECC on NIST P-256, P-384 and P-521
/// with an uncompressed point that lies on the curve. The canonical form is the one .NET exports.
/// </summary>
/// <remarks>
/// Pure ASN.1 plus the on-curve arithmetic of <see cref="NistCurvePoints"/>, on purpose: importing a key into .NET
/// (OpenSSL 3) costs about twice an ECDSA verification, which the issuance path would otherwise pay for every
/// certificate.
/// </remarks>
internal static class SubjectPublicKeys
{
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";
    private const string P521 = "1.3.132.0.35";

    /// <summary>Parses <paramref name="spki"/> into its canonical DER.</summary>
    /// <returns>Null on success, else whether the key is malformed (true) or merely unsupported (false), with a reason.</returns>
    public static (bool Malformed, string Reason)? TryCanonicalize(ReadOnlySpan<byte> spki, out CanonicalPublicKey key)
    {
        key = default;
        try
        {
            var reader = new AsnReader(spki.ToArray(), AsnEncodingRules.DER);
            var info = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var algorithmIdentifier = info.ReadSequence();
            var algorithm = algorithmIdentifier.ReadObjectIdentifier();
            var publicKey = info.ReadBitString(out var unusedBits);
            info.ThrowIfNotEmpty();
            if (unusedBits != 0) return (true, "the public key BIT STRING is not whole bytes");
            return algorithm switch
            {
                RsaEncryption => Rsa(algorithmIdentifier, publicKey, out key),
                EcPublicKey => Ec(algorithmIdentifier, publicKey, out key),
                _ => (false, $"public key algorithm {algorithm} is not RSA or EC"),
            };
        }
        catch (AsnContentException e)
        {
            return (true, $"not a DER SubjectPublicKeyInfo: {e.Message}");
        }
    }

    private static (bool, string)? Rsa(AsnReader parameters, byte[] publicKey, out CanonicalPublicKey key)
    {
        key = default;
        if (parameters.HasData) parameters.ReadNull();
        parameters.ThrowIfNotEmpty();
        var reader = new AsnReader(publicKey, AsnEncodingRules.DER);
        var rsaPublicKey = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var modulus = rsaPublicKey.ReadInteger();
        var exponent = rsaPublicKey.ReadInteger();
        rsaPublicKey.ThrowIfNotEmpty();
        if (modulus.Sign <= 0 || exponent < 3 || exponent.IsEven) return (true, "the RSA modulus or exponent is invalid");
        var bits = (int)modulus.GetBitLength();
        if (bits is < 2048 or > 16384) return (false, $"RSA-{bits} is outside 2048–16384 bits");

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(RsaEncryption);
                writer.WriteNull();
            }
            writer.WriteBitString(publicKey); // DER-read, so already minimal
        }
        key = new CanonicalPublicKey(writer.Encode(), IsRsa: true, bits);
        return null;
    }

    private static (bool, string)? Ec(AsnReader parameters, byte[] point, out CanonicalPublicKey key)
    {
        key = default;
        if (!parameters.HasData || parameters.PeekTag() != Asn1Tag.ObjectIdentifier)
            return (false, "EC keys must name their curve");
        var curve = parameters.ReadObjectIdentifier();
        parameters.ThrowIfNotEmpty();
        var bits = curve switch { P256 => 256, P384 => 384, P521 => 521, _ => 0 };
        if (bits == 0) return (false, $"EC curve {curve} is not P-256, P-384 or P-521");
        if (point.Length > 0 && point[0] is 0x02 or 0x03) return (false, "only uncompressed EC points are supported");
        if (point.Length != 1 + 2 * ((bits + 7) / 8) || point[0] != 0x04) return (true, "the EC point has the wrong form or length");
        var size = (point.Length - 1) / 2;
        if (!NistCurvePoints.IsOnCurve(curve, point.AsSpan(1, size), point.AsSpan(1 + size)))
            return (true, "the EC point is not on the curve");

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EcPublicKey);
                writer.WriteObjectIdentifier(curve);
            }
            writer.WriteBitString(point);
        }
        key = new CanonicalPublicKey(writer.Encode(), IsRsa: false, bits);
        return null;
    }
}

/// <summary>A public key's canonical SubjectPublicKeyInfo, its family and size.</summary>
internal readonly record struct CanonicalPublicKey(byte[] Spki, bool IsRsa, int KeySize);
