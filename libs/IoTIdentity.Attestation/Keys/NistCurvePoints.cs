using System.Collections.Frozen;
using System.Numerics;
using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Keys;

/// <summary>
/// Whether an affine point is a usable public key on NIST P-256, P-384 or P-521: each coordinate below the field prime
/// p and y² ≡ x³ + ax + b (mod p) — SEC 1, §3.2.2.1, steps 2 and 3.
/// </summary>
/// <remarks>
/// <para>These curves have cofactor 1, so every affine point that satisfies the equation is in the group (step 4 of
/// SEC 1's check, nQ = O, cannot fail; OpenSSL's import pays a scalar multiplication for it), and the point at infinity
/// has no affine form. Refusing what fails this check is what keeps invalid-curve points out of ECDH and signature
/// checks.</para>
/// <para>The arithmetic is on <see cref="BigInteger"/>: a few multiplications and reductions per point, allocating
/// well under a kilobyte, where BouncyCastle's point decoding allocated ≈ 5–10 KB per key (measured on the enrolment
/// path). The curve constants are the platform's own (OpenSSL's explicit parameters), read once.</para>
/// </remarks>
public static class NistCurvePoints
{
    private sealed record Constants(BigInteger Prime, BigInteger A, BigInteger B, int Size);

    private static readonly FrozenDictionary<string, Constants> ByOid =
        new[] { ECCurve.NamedCurves.nistP256, ECCurve.NamedCurves.nistP384, ECCurve.NamedCurves.nistP521 }
            .ToFrozenDictionary(curve => curve.Oid.Value!, Read);

    /// <summary>The supported curves' object identifiers.</summary>
    public static IReadOnlyCollection<string> Curves => ByOid.Keys;

    /// <summary>The field size in bytes (each coordinate's length) of the curve <paramref name="curveOid"/> names, or null for another curve.</summary>
    public static int? FieldSize(string curveOid) => ByOid.TryGetValue(curveOid, out var curve) ? curve.Size : null;

    /// <summary>The key size in bits (the field prime's: 256, 384, 521) of the curve <paramref name="curveOid"/> names, or null for another curve.</summary>
    public static int? KeySize(string curveOid) => ByOid.TryGetValue(curveOid, out var curve) ? (int)curve.Prime.GetBitLength() : null;

    /// <summary>
    /// Whether (<paramref name="x"/>, <paramref name="y"/>) — big-endian unsigned, at most the field size each (a TPM may
    /// strip leading zeros) — lies on the curve named by <paramref name="curveOid"/>. False for any other curve.
    /// </summary>
    public static bool IsOnCurve(string curveOid, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (!ByOid.TryGetValue(curveOid, out var curve)) return false;
        if (x.Length > curve.Size || y.Length > curve.Size) return false;
        var px = new BigInteger(x, isUnsigned: true, isBigEndian: true);
        var py = new BigInteger(y, isUnsigned: true, isBigEndian: true);
        if (px >= curve.Prime || py >= curve.Prime) return false;
        var right = ((px * px + curve.A) * px + curve.B) % curve.Prime;
        return py * py % curve.Prime == right;
    }

    private static Constants Read(ECCurve named)
    {
        using var key = ECDsa.Create(named);
        var explicitCurve = key.ExportExplicitParameters(includePrivateParameters: false).Curve;
        return new Constants(Unsigned(explicitCurve.Prime!), Unsigned(explicitCurve.A!), Unsigned(explicitCurve.B!),
            explicitCurve.Prime!.Length);
    }

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);
}
