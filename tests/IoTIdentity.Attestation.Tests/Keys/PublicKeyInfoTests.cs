using System.Formats.Asn1;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;

namespace IoTIdentity.Attestation.Tests.Keys;

/// <summary>
/// The one SubjectPublicKeyInfo reader the issuer, the CSR checks and the renewal proof's verifier share: what it
/// accepts is exactly what .NET exports for a NIST key, and every other shape is refused as malformed or as unsupported,
/// as the CSR checks tell the two apart.
/// </summary>
public sealed class PublicKeyInfoTests
{
    public static TheoryData<string> Curves => new() { "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35" };

    [Theory]
    [MemberData(nameof(Curves))]
    public void Every_key_net_exports_reads_back_whole_and_encodes_to_the_same_bytes(string curveOid)
    {
        for (var i = 0; i < 20; i++)
        {
            using var key = ECDsa.Create(ECCurve.CreateFromValue(curveOid));
            var exported = key.ExportSubjectPublicKeyInfo();

            var (algorithm, parameters, point) = PublicKeyInfo.Read(exported);

            Assert.Equal(PublicKeyInfo.EcPublicKey, algorithm);
            Assert.Null(PublicKeyInfo.TryReadEc(parameters, point, onCurve: true, out var curve));
            Assert.Equal(curveOid, curve);
            Assert.Equal(exported, PublicKeyInfo.EncodeEc(curve, point));
            var q = key.ExportParameters(false).Q;
            Assert.Equal([0x04, .. q.X!, .. q.Y!], point);
        }
    }

    /// <summary>(malformed, unsupported or accepted without the on-curve check) for each shape of an EC key's parameters and point.</summary>
    public static TheoryData<string, bool?> EcShapes => new()
    {
        { "no parameters", false },
        { "explicit curve parameters (a SEQUENCE)", false },
        { "secp256k1", false },
        { "brainpoolP256r1", false },
        { "a compressed point", false },
        { "the point one octet short", true },
        { "the point one octet long", true },
        { "a P-384 point named as P-256", true },
        { "a point without its 0x04 prefix at the right length", true },
        { "an empty point", true },
        { "a point off the curve", null },
    };

    private static (AsnReader Parameters, byte[] Point) EcShape(string shape)
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = p256.ExportParameters(false).Q;
        byte[] point = [0x04, .. q.X!, .. q.Y!];
        var named = "1.2.840.10045.3.1.7";
        switch (shape)
        {
            case "no parameters": return (Parameters(w => { }), point);
            case "explicit curve parameters (a SEQUENCE)":
                return (Parameters(w => { using (w.PushSequence()) w.WriteInteger(1); }), point);
            case "secp256k1": return (Named("1.3.132.0.10"), point);
            case "brainpoolP256r1": return (Named("1.3.36.3.3.2.8.1.1.7"), point);
            case "a compressed point": return (Named(named), [(byte)(0x02 | (q.Y![^1] & 1)), .. q.X!]);
            case "the point one octet short": return (Named(named), point[..^1]);
            case "the point one octet long": return (Named(named), [.. point, 0]);
            case "a P-384 point named as P-256":
                using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
                {
                    var q384 = p384.ExportParameters(false).Q;
                    return (Named(named), [0x04, .. q384.X!, .. q384.Y!]);
                }
            case "a point without its 0x04 prefix at the right length": return (Named(named), [0x05, .. point[1..]]);
            case "an empty point": return (Named(named), []);
            case "a point off the curve": return (Named(named), [.. point[..^1], (byte)(point[^1] ^ 1)]);
            default: throw new ArgumentOutOfRangeException(nameof(shape));
        }
    }

    private static AsnReader Named(string curveOid) => Parameters(w => w.WriteObjectIdentifier(curveOid));

    private static AsnReader Parameters(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return new AsnReader(writer.Encode(), AsnEncodingRules.DER);
    }

    [Theory]
    [MemberData(nameof(EcShapes))]
    public void An_EC_key_of_another_shape_is_refused_as_malformed_or_unsupported(string shape, bool? malformed)
    {
        var (parameters, point) = EcShape(shape);
        var problem = PublicKeyInfo.TryReadEc(parameters, point, onCurve: true, out _);

        Assert.NotNull(problem);
        Assert.Equal(malformed ?? true, problem.Value.Malformed);
        // without the on-curve check only the point off the curve passes: an import that checks it itself gets it
        var (again, samePoint) = EcShape(shape);
        Assert.Equal(malformed is null, PublicKeyInfo.TryReadEc(again, samePoint, onCurve: false, out _) is null);
    }

    [Fact]
    public void Parameters_continuing_after_the_curve_are_not_DER_of_an_EC_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        var parameters = Parameters(w => { w.WriteObjectIdentifier("1.2.840.10045.3.1.7"); w.WriteNull(); });

        Assert.Throws<AsnContentException>(() => PublicKeyInfo.TryReadEc(parameters, [0x04, .. q.X!, .. q.Y!], onCurve: true, out _));
    }

    public static TheoryData<string> BadOuters => new()
    {
        "empty", "truncated", "bytes after it", "unused bits in the key", "a BER length", "the key not a BIT STRING",
        "a field after the key", "no algorithm identifier",
    };

    private static byte[] BadOuter(string how)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var good = key.ExportSubjectPublicKeyInfo();
        var (_, _, point) = PublicKeyInfo.Read(good);
        byte[] Outer(Action<AsnWriter> body)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence()) body(writer);
            return writer.Encode();
        }
        void Algorithm(AsnWriter w)
        {
            using (w.PushSequence()) { w.WriteObjectIdentifier(PublicKeyInfo.EcPublicKey); w.WriteObjectIdentifier("1.2.840.10045.3.1.7"); }
        }
        switch (how)
        {
            case "empty": return [];
            case "truncated": return good[..^1];
            case "bytes after it": return [.. good, 0];
            case "unused bits in the key": return Outer(w => { Algorithm(w); w.WriteBitString([.. point[..^1], (byte)(point[^1] & 0xF0)], 4); });
            case "a BER length": return [good[0], 0x81, good[1], .. good[2..]];   // a long-form length where the short form fits
            case "the key not a BIT STRING": return Outer(w => { Algorithm(w); w.WriteOctetString(point); });
            case "a field after the key": return Outer(w => { Algorithm(w); w.WriteBitString(point); w.WriteNull(); });
            case "no algorithm identifier": return Outer(w => w.WriteBitString(point));
            default: throw new ArgumentOutOfRangeException(nameof(how));
        }
    }

    [Theory]
    [MemberData(nameof(BadOuters))]
    public void A_SubjectPublicKeyInfo_that_is_not_strict_DER_of_its_shape_is_not_read(string how)
    {
        Assert.Throws<AsnContentException>(() => PublicKeyInfo.Read(BadOuter(how)));
    }
}
