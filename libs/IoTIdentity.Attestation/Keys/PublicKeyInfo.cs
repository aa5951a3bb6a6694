using System.Formats.Asn1;

namespace IoTIdentity.Attestation.Keys;

/// <summary>
/// A SubjectPublicKeyInfo (RFC 5280, §4.1.2.7) read strictly — DER, nothing trailing, the key a BIT STRING of whole
/// bytes — and written, and an EC key in one as this service accepts it (RFC 5480): id-ecPublicKey with a named NIST
/// P-256, P-384 or P-521 curve and an uncompressed point at the field size. One reader for the issuer's canonical form,
/// the CSR checks and the renewal proof's verifier.
/// </summary>
public static class PublicKeyInfo
{
    /// <summary>id-ecPublicKey — RFC 5480, §2.1.1.</summary>
    public const string EcPublicKey = "1.2.840.10045.2.1";

    /// <summary>rsaEncryption — RFC 3279, §2.3.1.</summary>
    public const string RsaEncryption = "1.2.840.113549.1.1.1";

    /// <summary>
    /// The parts of <paramref name="spki"/>: the algorithm's identifier, a reader over its parameters (at their start),
    /// and the key's bytes.
    /// </summary>
    /// <exception cref="AsnContentException">Not DER of that shape, something after it, or a key of partial bytes.</exception>
    public static (string Algorithm, AsnReader Parameters, byte[] Key) Read(ReadOnlyMemory<byte> spki)
    {
        var reader = new AsnReader(spki, AsnEncodingRules.DER);
        var info = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var algorithmIdentifier = info.ReadSequence();
        var algorithm = algorithmIdentifier.ReadObjectIdentifier();
        var key = info.ReadBitString(out var unusedBits);
        info.ThrowIfNotEmpty();
        if (unusedBits != 0) throw new AsnContentException("the public key BIT STRING is not whole bytes");
        return (algorithm, algorithmIdentifier, key);
    }

    /// <summary>
    /// Reads an EC key's parameters and point (the parts <see cref="Read"/> gives for <see cref="EcPublicKey"/>): a named
    /// supported curve and an uncompressed point at its field size, on the curve when <paramref name="onCurve"/> asks
    /// (an import that checks it itself need not).
    /// </summary>
    /// <returns>Null when accepted, else whether the key is malformed (true) or merely unsupported (false), with a reason.</returns>
    /// <exception cref="AsnContentException">The parameters are not DER or continue after the curve.</exception>
    public static (bool Malformed, string Reason)? TryReadEc(AsnReader parameters, byte[] point, bool onCurve, out string curveOid)
    {
        curveOid = "";
        if (!parameters.HasData || parameters.PeekTag() != Asn1Tag.ObjectIdentifier) return (false, "EC keys must name their curve");
        curveOid = parameters.ReadObjectIdentifier();
        parameters.ThrowIfNotEmpty();
        if (NistCurvePoints.FieldSize(curveOid) is not { } size) return (false, $"EC curve {curveOid} is not P-256, P-384 or P-521");
        if (point.Length > 0 && point[0] is 0x02 or 0x03) return (false, "only uncompressed EC points are supported");
        if (point.Length != 1 + 2 * size || point[0] != 0x04) return (true, "the EC point has the wrong form or length");
        if (onCurve && !NistCurvePoints.IsOnCurve(curveOid, point.AsSpan(1, size), point.AsSpan(1 + size)))
            return (true, "the EC point is not on the curve");
        return null;
    }

    /// <summary>The DER SubjectPublicKeyInfo of an EC key: <paramref name="point"/> is its uncompressed form (SEC 1, §2.3.3).</summary>
    public static byte[] EncodeEc(string curveOid, byte[] point)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EcPublicKey);
                writer.WriteObjectIdentifier(curveOid);
            }
            writer.WriteBitString(point);
        }
        return writer.Encode();
    }
}
