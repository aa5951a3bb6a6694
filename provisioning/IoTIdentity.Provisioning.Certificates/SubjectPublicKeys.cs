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
/// The SubjectPublicKeyInfo and its EC key are read by <see cref="PublicKeyInfo"/>, the reader the renewal proof's
/// verifier shares. Pure ASN.1 plus the on-curve arithmetic of <see cref="NistCurvePoints"/>, on purpose: importing a
/// key into .NET (OpenSSL 3) costs about twice an ECDSA verification, which the issuance path would otherwise pay for
/// every certificate.
/// </remarks>
internal static class SubjectPublicKeys
{
    /// <summary>Parses <paramref name="spki"/> into its canonical DER.</summary>
    /// <returns>Null on success, else whether the key is malformed (true) or merely unsupported (false), with a reason.</returns>
    public static (bool Malformed, string Reason)? TryCanonicalize(ReadOnlySpan<byte> spki, out CanonicalPublicKey key)
    {
        key = default;
        try
        {
            var (algorithm, parameters, publicKey) = PublicKeyInfo.Read(spki.ToArray());
            return algorithm switch
            {
                PublicKeyInfo.RsaEncryption => Rsa(parameters, publicKey, out key),
                PublicKeyInfo.EcPublicKey => Ec(parameters, publicKey, out key),
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
                writer.WriteObjectIdentifier(PublicKeyInfo.RsaEncryption);
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
        if (PublicKeyInfo.TryReadEc(parameters, point, onCurve: true, out var curve) is { } problem) return problem;
        key = new CanonicalPublicKey(PublicKeyInfo.EncodeEc(curve, point), IsRsa: false, NistCurvePoints.KeySize(curve)!.Value);
        return null;
    }
}

/// <summary>A public key's canonical SubjectPublicKeyInfo, its family and size.</summary>
internal readonly record struct CanonicalPublicKey(byte[] Spki, bool IsRsa, int KeySize);
