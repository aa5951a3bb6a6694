using System.Formats.Asn1;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.Keys;

/// <summary>
/// The on-curve check that replaces an import into OpenSSL (<see cref="TpmPublicKeys.IsOnCurve"/>), held against the
/// platform's own import for every point it refuses and accepts, and the SubjectPublicKeyInfo encoded without an
/// import, held against .NET's export.
/// </summary>
public sealed class TpmPublicKeysTests
{
    /// <summary>The prime of P-256's field, big-endian (FIPS 186-4, D.1.2.3).</summary>
    private static readonly byte[] P256Prime = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");

    internal static TpmtPublic EccKey(TpmEccCurve curve, byte[] x, byte[] y) =>
        KeyTemplates.AkEccP256 with
        {
            Parameters = ((TpmsEccParms)KeyTemplates.AkEccP256.Parameters) with { Curve = curve },
            Unique = new TpmEccPublicId(new TpmsEccPoint(x, y)),
        };

    private static TpmtPublic Generated(TpmEccCurve curve, out ECParameters parameters)
    {
        using var key = ECDsa.Create(TpmPublicKeys.Curve(curve)!.Value);
        parameters = key.ExportParameters(false);
        return EccKey(curve, parameters.Q.X!, parameters.Q.Y!);
    }

    /// <summary>Whether .NET's own import (OpenSSL's full key check) accepts the public area's point: the reference.</summary>
    private static bool PlatformAccepts(TpmtPublic key)
    {
        try
        {
            using var imported = ECDsa.Create(TpmPublicKeys.EcParameters(key));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    public static TheoryData<string> BadPoints => new()
    {
        "y off by one bit", "x and y swapped", "the point at infinity (empty coordinates)", "x equal to the field prime",
        "a coordinate one octet longer than the field", "a P-384 point presented as P-256", "a P-256 point presented as P-384",
        "an unsupported curve (BN P-256)",
    };

    internal static TpmtPublic Bad(string how)
    {
        var key = Generated(TpmEccCurve.NistP256, out var p);
        byte[] x = p.Q.X!, y = p.Q.Y!;
        switch (how)
        {
            case "y off by one bit": y = [.. y[..^1], (byte)(y[^1] ^ 1)]; return EccKey(TpmEccCurve.NistP256, x, y);
            case "x and y swapped": return EccKey(TpmEccCurve.NistP256, y, x);
            case "the point at infinity (empty coordinates)": return EccKey(TpmEccCurve.NistP256, [], []);
            case "x equal to the field prime": return EccKey(TpmEccCurve.NistP256, P256Prime, y);
            case "a coordinate one octet longer than the field": return EccKey(TpmEccCurve.NistP256, [1, .. x], y);
            case "a P-384 point presented as P-256":
                Generated(TpmEccCurve.NistP384, out var q);
                return EccKey(TpmEccCurve.NistP256, q.Q.X!, q.Q.Y!);
            case "a P-256 point presented as P-384": return EccKey(TpmEccCurve.NistP384, x, y);
            case "an unsupported curve (BN P-256)": return EccKey((TpmEccCurve)0x0010, x, y);
            default: throw new ArgumentOutOfRangeException(nameof(how));
        }
    }

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void A_point_the_platform_refuses_is_not_on_its_curve(string how)
    {
        var key = Bad(how);

        Assert.False(PlatformAccepts(key));
        Assert.False(TpmPublicKeys.IsOnCurve(key));
    }

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void No_verifier_is_made_for_a_point_the_platform_refuses(string how)
    {
        var e = Assert.ThrowsAny<Exception>(() => TpmPublicKeys.ToEcdsa(Bad(how)).Dispose());

        Assert.True(e is CryptographicException or ArgumentException, e.GetType().Name);
        Assert.Matches("not on|exceeds|unsupported curve", e.Message);
    }

    [Theory]
    [InlineData(TpmEccCurve.NistP256, "SHA256")]
    [InlineData(TpmEccCurve.NistP384, "SHA384")]
    [InlineData(TpmEccCurve.NistP521, "SHA512")]
    public void A_verifier_imported_without_the_order_check_verifies_what_the_platform_import_verifies(TpmEccCurve curve, string hash)
    {
        using var signer = ECDsa.Create(TpmPublicKeys.Curve(curve)!.Value);
        var q = signer.ExportParameters(false).Q;
        var message = "signed by the TPM"u8.ToArray();
        var signature = signer.SignData(message, new HashAlgorithmName(hash));
        using var verifier = TpmPublicKeys.ToEcdsa(EccKey(curve, q.X!, q.Y!));

        Assert.True(verifier.VerifyData(message, signature, new HashAlgorithmName(hash)));
        Assert.False(verifier.VerifyData((byte[])[.. message, 0], signature, new HashAlgorithmName(hash)));
        Assert.Equal(signer.ExportSubjectPublicKeyInfo(), verifier.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData(TpmEccCurve.NistP256)]
    [InlineData(TpmEccCurve.NistP384)]
    [InlineData(TpmEccCurve.NistP521)]
    public void The_imported_verifier_accepts_and_refuses_exactly_what_the_platforms_own_verifier_does(TpmEccCurve curve)
    {
        // the verifier checks with ECDSA_do_verify on its own key; .NET's import (the reference) through OpenSSL's EVP layer
        var random = new Random(7 + (int)curve);
        var size = TpmPublicKeys.CoordinateSize(curve);
        var order = Order(curve);
        var checkedCases = 0;
        for (var i = 0; i < 8; i++)
        {
            using var signer = ECDsa.Create(TpmPublicKeys.Curve(curve)!.Value);
            using var other = ECDsa.Create(TpmPublicKeys.Curve(curve)!.Value);
            var q = signer.ExportParameters(false).Q;
            using var verifier = TpmPublicKeys.ToEcdsa(EccKey(curve, q.X!, q.Y!));
            using var reference = ECDsa.Create(signer.ExportParameters(false));
            var message = new byte[random.Next(0, 200)];
            random.NextBytes(message);
            foreach (var hash in (HashAlgorithmName[])[HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512])
            {
                var digest = CryptographicOperations.HashData(hash, message);
                var good = signer.SignHash(digest);
                var candidates = new List<(string How, byte[] Digest, byte[] Signature)>
                {
                    ("as signed", digest, good),
                    ("another key's", digest, other.SignHash(digest)),
                    ("another digest", CryptographicOperations.HashData(hash, [.. message, 1]), good),
                    ("a digest one byte short", digest[..^1], good),
                    ("r and s swapped", digest, [.. good[size..], .. good[..size]]),
                    ("r = 0", digest, [.. new byte[size], .. good[size..]]),
                    ("s = 0", digest, [.. good[..size], .. new byte[size]]),
                    ("r = n", digest, [.. order, .. good[size..]]),
                    ("s = n", digest, [.. good[..size], .. order]),
                    ("r = n + r", digest, [.. AddTo(order, good[..size]), .. good[size..]]),
                    ("s = 2^k − 1", digest, [.. good[..size], .. Enumerable.Repeat((byte)0xFF, size)]),
                    ("one byte short", digest, good[..^1]),
                    ("one byte long", digest, [.. good, 0]),
                    ("empty", digest, []),
                };
                for (var bit = 0; bit < 8; bit++)
                {
                    var flipped = (byte[])good.Clone();
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << bit);
                    candidates.Add(($"bit {bit} flipped", digest, flipped));
                }

                foreach (var (how, d, signature) in candidates)
                {
                    Assert.True(reference.VerifyHash(d, signature) == verifier.VerifyHash(d, signature), $"{curve} {hash} {how}: P1363");
                    // the DER form (what a CSR and an X.509 signature carry) goes through the base class's conversion to P1363
                    if (signature.Length == 2 * size)
                    {
                        var der = ToDer(signature, size);
                        Assert.True(reference.VerifyHash(d, der, DSASignatureFormat.Rfc3279DerSequence)
                            == verifier.VerifyHash(d, der, DSASignatureFormat.Rfc3279DerSequence), $"{curve} {hash} {how}: DER");
                    }
                    checkedCases++;
                }
                Assert.True(verifier.VerifyData(message, signer.SignData(message, hash, DSASignatureFormat.Rfc3279DerSequence), hash,
                    DSASignatureFormat.Rfc3279DerSequence));
            }
            Assert.Equal(reference.ExportSubjectPublicKeyInfo(), verifier.ExportSubjectPublicKeyInfo());
            Assert.Equal(reference.KeySize, verifier.KeySize);
            Assert.Throws<CryptographicException>(() => verifier.SignHash(new byte[32]));
        }
        Assert.True(checkedCases >= 8 * 3 * 22, $"{checkedCases} cases");
    }

    /// <summary>The order n of a NIST curve's group, big-endian at the field size (FIPS 186-4, D.1.2).</summary>
    private static byte[] Order(TpmEccCurve curve) => Convert.FromHexString(curve switch
    {
        TpmEccCurve.NistP256 => "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        TpmEccCurve.NistP384 => "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        TpmEccCurve.NistP521 => "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        _ => throw new ArgumentOutOfRangeException(nameof(curve)),
    });

    /// <summary>a + b at the length of a, the carry out of the top byte dropped (n + r stays below 2^k for these curves' r).</summary>
    private static byte[] AddTo(byte[] a, byte[] b)
    {
        var sum = new byte[a.Length];
        var carry = 0;
        for (var i = a.Length - 1; i >= 0; i--)
        {
            var total = a[i] + b[i] + carry;
            sum[i] = (byte)total;
            carry = total >> 8;
        }
        return sum;
    }

    /// <summary>An IEEE P1363 signature (r ‖ s) as the DER SEQUENCE of two INTEGERs.</summary>
    private static byte[] ToDer(byte[] p1363, int size)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(0, size)));
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(size)));
        }
        return writer.Encode();

        static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
        {
            while (value.Length > 1 && value[0] == 0) value = value[1..];
            return value;
        }
    }

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void No_SubjectPublicKeyInfo_is_made_for_a_point_not_on_its_curve(string how)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => TpmPublicKeys.SubjectPublicKeyInfo(Bad(how)));

        Assert.Matches("not on|exceeds|unsupported curve", e.Message);
    }

    [Theory]
    [InlineData(TpmEccCurve.NistP256)]
    [InlineData(TpmEccCurve.NistP384)]
    [InlineData(TpmEccCurve.NistP521)]
    public void Generated_points_are_on_their_curve_and_encode_as_NET_exports_them(TpmEccCurve curve)
    {
        for (var i = 0; i < 20; i++)
        {
            var key = Generated(curve, out var parameters);
            using var platform = ECDsa.Create(parameters);

            Assert.True(TpmPublicKeys.IsOnCurve(key));
            Assert.Equal(platform.ExportSubjectPublicKeyInfo(), TpmPublicKeys.SubjectPublicKeyInfo(key));
        }
    }

    [Fact]
    public void A_coordinate_the_TPM_stripped_of_its_leading_zero_is_on_the_curve_and_encodes_at_the_field_size()
    {
        ECParameters parameters;
        do
            Generated(TpmEccCurve.NistP256, out parameters);
        while (parameters.Q.X![0] != 0);
        var stripped = EccKey(TpmEccCurve.NistP256, parameters.Q.X[1..], parameters.Q.Y!);
        using var platform = ECDsa.Create(parameters);

        Assert.True(TpmPublicKeys.IsOnCurve(stripped));
        Assert.Equal(platform.ExportSubjectPublicKeyInfo(), TpmPublicKeys.SubjectPublicKeyInfo(stripped));
    }

    [Fact]
    public void An_RSA_public_area_is_not_an_ECC_point()
    {
        Assert.False(TpmPublicKeys.IsOnCurve(KeyTemplates.AkRsa2048));
    }

    [Theory]
    [InlineData(TpmEccCurve.NistP256, "SHA256")]
    [InlineData(TpmEccCurve.NistP384, "SHA384")]
    [InlineData(TpmEccCurve.NistP521, "SHA512")]
    public void A_verifier_from_the_SubjectPublicKeyInfo_verifies_what_the_key_signed_and_exports_the_same_key(TpmEccCurve curve, string hash)
    {
        for (var i = 0; i < 20; i++)
        {
            using var signer = ECDsa.Create(TpmPublicKeys.Curve(curve)!.Value);
            var q = signer.ExportParameters(false).Q;
            var spki = TpmPublicKeys.SubjectPublicKeyInfo(EccKey(curve, q.X!, q.Y!));
            var message = "renewal proof"u8.ToArray();
            var signature = signer.SignData(message, new HashAlgorithmName(hash));
            using var verifier = TpmPublicKeys.EcdsaFromSubjectPublicKeyInfo(spki);

            Assert.True(verifier.VerifyData(message, signature, new HashAlgorithmName(hash)));
            Assert.False(verifier.VerifyData((byte[])[.. message, 0], signature, new HashAlgorithmName(hash)));
            Assert.Equal(spki, verifier.ExportSubjectPublicKeyInfo());
        }
    }

    /// <summary>An EC SubjectPublicKeyInfo of any curve OID and point octets (DER), as no checked encoder would write it.</summary>
    private static byte[] Spki(string curveOid, byte[] point, int unusedBits = 0, string algorithmOid = "1.2.840.10045.2.1")
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(algorithmOid);
                writer.WriteObjectIdentifier(curveOid);
            }
            writer.WriteBitString(point, unusedBits);
        }
        return writer.Encode();
    }

    /// <summary>The uncompressed point octets of a TPM public area's coordinates, as they are (no padding, no check).</summary>
    private static byte[] Uncompressed(TpmtPublic key) =>
        key.Unique is TpmEccPublicId id ? [0x04, .. id.Point.X, .. id.Point.Y] : throw new ArgumentException("not ECC", nameof(key));

    private static string CurveOid(TpmtPublic key) =>
        TpmPublicKeys.Curve(((TpmsEccParms)key.Parameters).Curve)?.Oid.Value ?? "1.2.392.200082.1.1.1"; // unsupported: an OID .NET does not know

    public static TheoryData<string> BadEncodings => new()
    {
        "an RSA key", "another algorithm OID with a P-256 point", "secp256k1", "a compressed point", "the point one octet short",
        "the point one octet long", "unused bits in the bit string", "bytes after the SubjectPublicKeyInfo", "truncated DER", "empty",
    };

    private static byte[] BadEncoding(string how)
    {
        var key = Generated(TpmEccCurve.NistP256, out var p);
        var good = TpmPublicKeys.SubjectPublicKeyInfo(key);
        var point = Uncompressed(key);
        var p256 = ECCurve.NamedCurves.nistP256.Oid.Value!;
        switch (how)
        {
            case "an RSA key":
                using (var rsa = RSA.Create(2048)) return rsa.ExportSubjectPublicKeyInfo();
            case "another algorithm OID with a P-256 point": return Spki(p256, point, algorithmOid: "1.2.840.10045.2.2");
            case "secp256k1":
                using (var k1 = ECDsa.Create(ECCurve.CreateFromValue("1.3.132.0.10"))) return k1.ExportSubjectPublicKeyInfo();
            case "a compressed point": return Spki(p256, [(byte)(0x02 | (p.Q.Y![^1] & 1)), .. p.Q.X!]);
            case "the point one octet short": return Spki(p256, point[..^1]);
            case "the point one octet long": return Spki(p256, [.. point, 0]);
            case "unused bits in the bit string": return Spki(p256, [.. point[..^1], (byte)(point[^1] & 0xFE)], unusedBits: 1);
            case "bytes after the SubjectPublicKeyInfo": return [.. good, 0];
            case "truncated DER": return good[..^3];
            case "empty": return [];
            default: throw new ArgumentOutOfRangeException(nameof(how));
        }
    }

    [Theory]
    [MemberData(nameof(BadEncodings))]
    public void No_verifier_is_made_from_a_SubjectPublicKeyInfo_not_encoded_as_the_service_encodes_EC_keys(string how)
    {
        var e = Assert.Throws<CryptographicException>(() => TpmPublicKeys.EcdsaFromSubjectPublicKeyInfo(BadEncoding(how)).Dispose());

        Assert.Matches("not an EC|is not P-256, P-384 or P-521|only uncompressed|wrong form or length|malformed", e.Message);
    }

    /// <summary>Every point the platform's import refuses in a public area, put in a SubjectPublicKeyInfo of its curve:
    /// the platform's SubjectPublicKeyInfo import refuses it too, and so does this one.</summary>
    [Theory]
    [MemberData(nameof(BadPoints))]
    public void A_SubjectPublicKeyInfo_whose_point_the_platform_refuses_makes_no_verifier(string how)
    {
        var key = Bad(how);
        var spki = Spki(CurveOid(key), Uncompressed(key));
        using var platform = ECDsa.Create();

        // an unknown curve: the platform says it does not support it
        var refused = Assert.ThrowsAny<Exception>(() => platform.ImportSubjectPublicKeyInfo(spki, out _));
        Assert.True(refused is CryptographicException or PlatformNotSupportedException, refused.GetType().Name);
        Assert.ThrowsAny<CryptographicException>(() => TpmPublicKeys.EcdsaFromSubjectPublicKeyInfo(spki).Dispose());
    }
}
