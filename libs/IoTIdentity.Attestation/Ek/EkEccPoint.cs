using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// An ECC EK public key read without the platform: the namedCurve parameters (RFC 5480, 2.1.1) of P-256, P-384 or
/// P-521 and an uncompressed point (SEC 1, 2.3.3) whose coordinates are field elements satisfying the curve equation
/// y² = x³ + ax + b (mod p) — what the platform's import checks of a public point. Curve constants come from the
/// platform's own explicit parameters, read once.
/// </summary>
internal static class EkEccPoint
{
    private static readonly Lazy<Dictionary<string, (ECCurve Named, int FieldBytes, BigInteger P, BigInteger A, BigInteger B)>> Curves = new(() =>
        new[] { (ECCurve.NamedCurves.nistP256, 32), (ECCurve.NamedCurves.nistP384, 48), (ECCurve.NamedCurves.nistP521, 66) }
            .ToDictionary(c => c.Item1.Oid.Value!, c => Describe(c.Item1, c.Item2)));

    /// <summary>The key, or null when the parameters or point are in any other form (the platform then judges them).</summary>
    public static EkEccPublicKey? TryRead(byte[]? parameters, byte[] point)
    {
        if (parameters is null)
            return null;
        string curveOid;
        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            curveOid = reader.ReadObjectIdentifier();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException)
        {
            return null;
        }
        if (!Curves.Value.TryGetValue(curveOid, out var curve) || point.Length != 1 + 2 * curve.FieldBytes || point[0] != 0x04)
            return null;
        byte[] x = point[1..(1 + curve.FieldBytes)], y = point[(1 + curve.FieldBytes)..];
        var (bx, by) = (new BigInteger(x, isUnsigned: true, isBigEndian: true), new BigInteger(y, isUnsigned: true, isBigEndian: true));
        if (bx >= curve.P || by >= curve.P)
            return null;
        BigInteger left = BigInteger.ModPow(by, 2, curve.P);
        BigInteger right = ((BigInteger.ModPow(bx, 3, curve.P) + curve.A * bx + curve.B) % curve.P + curve.P) % curve.P;
        return left == right ? new EkEccPublicKey(curve.Named, x, y) : null;
    }

    private static (ECCurve, int, BigInteger, BigInteger, BigInteger) Describe(ECCurve named, int fieldBytes)
    {
        using var key = ECDsa.Create(named);
        ECCurve explicitCurve = key.ExportExplicitParameters(false).Curve;
        static BigInteger Unsigned(byte[] value) => new(value, isUnsigned: true, isBigEndian: true);
        return (named, fieldBytes, Unsigned(explicitCurve.Prime!), Unsigned(explicitCurve.A!), Unsigned(explicitCurve.B!));
    }
}
