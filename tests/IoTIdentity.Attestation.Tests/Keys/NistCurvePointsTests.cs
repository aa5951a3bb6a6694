using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X9;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Attestation.Tests.Keys;

/// <summary>
/// <see cref="NistCurvePoints"/> held against two independent oracles — BouncyCastle's point validation and OpenSSL's
/// full key check on import (.NET) — for points on each curve and for every way off it a test could think of.
/// </summary>
public sealed class NistCurvePointsTests
{
    public static TheoryData<string> CurveOids => new(ECCurve.NamedCurves.nistP256.Oid.Value!,
        ECCurve.NamedCurves.nistP384.Oid.Value!, ECCurve.NamedCurves.nistP521.Oid.Value!);

    private static X9ECParameters Bc(string oid) => ECNamedCurveTable.GetByOid(new DerObjectIdentifier(oid));

    private static int Size(string oid) => (Bc(oid).Curve.FieldSize + 7) / 8;

    /// <summary>BouncyCastle's verdict, with the field-size bound on each coordinate's length that a TPM key has.</summary>
    private static bool BcAccepts(string oid, byte[] x, byte[] y)
    {
        if (x.Length > Size(oid) || y.Length > Size(oid)) return false;
        try
        {
            Bc(oid).Curve.ValidatePoint(new BcBigInteger(1, x), new BcBigInteger(1, y));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>OpenSSL's verdict on importing the point (coordinates left-padded to the field size).</summary>
    private static bool PlatformAccepts(string oid, byte[] x, byte[] y)
    {
        if (x.Length > Size(oid) || y.Length > Size(oid)) return false;
        try
        {
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.CreateFromValue(oid),
                Q = new ECPoint { X = TpmPublicKeys.LeftPad(x, Size(oid)), Y = TpmPublicKeys.LeftPad(y, Size(oid)) },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Unsigned(BcBigInteger value, int size) => value.ToByteArrayUnsigned() is var b && b.Length < size
        ? TpmPublicKeys.LeftPad(b, size) : b;

    /// <summary>
    /// The point with the smallest x ≥ 0 (y = √(x³ + ax + b), as p ≡ 3 mod 4 on these curves): the one kind of point
    /// whose x + p still fits the field size, so only the check against p refuses that unreduced encoding.
    /// </summary>
    private static (BcBigInteger X, BcBigInteger Y) SmallXPoint(string oid)
    {
        var curve = Bc(oid).Curve;
        var p = curve.Field.Characteristic;
        for (var x = BcBigInteger.Zero; ; x = x.Add(BcBigInteger.One))
        {
            var right = x.Pow(3).Add(curve.A.ToBigInteger().Multiply(x)).Add(curve.B.ToBigInteger()).Mod(p);
            var y = right.ModPow(p.Add(BcBigInteger.One).ShiftRight(2), p);
            if (y.Multiply(y).Mod(p).Equals(right)) return (x, y);
        }
    }

    /// <summary>Points on the curve and ways off it, made from one generated key.</summary>
    private static IEnumerable<(string How, byte[] X, byte[] Y)> Cases(string oid, Random random)
    {
        var size = Size(oid);
        var p = Bc(oid).Curve.Field.Characteristic;
        using var key = ECDsa.Create(ECCurve.CreateFromValue(oid));
        var q = key.ExportParameters(false).Q;
        byte[] x = q.X!, y = q.Y!;
        var bx = new BcBigInteger(1, x);
        var by = new BcBigInteger(1, y);
        var bit = random.Next(size * 8);
        byte[] Flip(byte[] v) { var c = (byte[])v.Clone(); c[bit / 8] ^= (byte)(1 << (bit % 8)); return c; }
        byte[] RandomBytes(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        byte[] Big(BcBigInteger v) => Unsigned(v, size);

        yield return ("the generated point", x, y);
        yield return ("its negation (x, p − y)", x, Big(p.Subtract(by)));
        yield return ("leading zero octets stripped", x.SkipWhile(b => b == 0).ToArray(), y.SkipWhile(b => b == 0).ToArray());
        yield return ("y with one bit flipped", x, Flip(y));
        yield return ("x with one bit flipped", Flip(x), y);
        yield return ("y + 1", x, Big(by.Add(BcBigInteger.One).Mod(p)));
        yield return ("x + 1", Big(bx.Add(BcBigInteger.One).Mod(p)), y);
        yield return ("x and y swapped", y, x);
        yield return ("y + p (the same residue, not reduced)", x, Big(by.Add(p)));
        yield return ("x + p (the same residue, not reduced)", Big(bx.Add(p)), y);
        var (sx, sy) = SmallXPoint(oid);
        yield return ("the point with the smallest x", Big(sx), Big(sy));
        yield return ("that point with x + p, which fits the field size", Big(sx.Add(p)), Big(sy));
        yield return ("x equal to p", Big(p), y);
        yield return ("y equal to p", x, Big(p));
        yield return ("x and y zero", [], []);
        yield return ("x zero", new byte[size], y);
        yield return ("all-ones coordinates", Enumerable.Repeat((byte)0xFF, size).ToArray(), Enumerable.Repeat((byte)0xFF, size).ToArray());
        yield return ("random coordinates", RandomBytes(size), RandomBytes(size));
        yield return ("a coordinate one octet longer, with a leading zero", [0, .. x], y);
        yield return ("a coordinate one octet longer", [1, .. x], y);
    }

    [Theory]
    [MemberData(nameof(CurveOids))]
    public void Every_point_gets_the_verdict_of_BouncyCastle_and_of_OpenSSL(string oid)
    {
        var random = new Random(oid.GetHashCode(StringComparison.Ordinal) ^ 20261205);
        var accepted = 0;
        var refused = 0;
        for (var round = 0; round < 25; round++)
            foreach (var (how, x, y) in Cases(oid, random))
            {
                var expected = BcAccepts(oid, x, y);
                Assert.True(expected == PlatformAccepts(oid, x, y), $"the oracles disagree on {how}");
                Assert.True(expected == NistCurvePoints.IsOnCurve(oid, x, y), $"{how}: expected {(expected ? "on" : "off")} the curve");
                if (expected) accepted++; else refused++;
            }

        Assert.True(accepted >= 3 * 25, $"{accepted} accepted"); // the point, its negation, stripped zeros
        Assert.True(refused >= 12 * 25, $"{refused} refused");
    }

    [Theory]
    [MemberData(nameof(CurveOids))]
    public void The_published_base_point_is_on_its_curve(string oid)
    {
        var size = Size(oid);
        var g = Bc(oid).G.Normalize();

        Assert.Contains(oid, NistCurvePoints.Curves);
        Assert.True(NistCurvePoints.IsOnCurve(oid, Unsigned(g.AffineXCoord.ToBigInteger(), size), Unsigned(g.AffineYCoord.ToBigInteger(), size)));
    }

    [Fact]
    public void A_curve_other_than_the_three_is_refused()
    {
        var brainpool = ECCurve.NamedCurves.brainpoolP256r1;
        using var key = ECDsa.Create(brainpool);
        var q = key.ExportParameters(false).Q;

        Assert.False(NistCurvePoints.IsOnCurve(brainpool.Oid.Value!, q.X, q.Y));
        Assert.False(NistCurvePoints.IsOnCurve("1.2.840.10045.3.1.7.1", q.X, q.Y));
        Assert.Equal(3, NistCurvePoints.Curves.Count);
    }
}
