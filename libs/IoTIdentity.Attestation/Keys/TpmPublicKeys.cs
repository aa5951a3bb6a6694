using System.Formats.Asn1;
using System.Security.Cryptography;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Keys;

/// <summary>Turns TPM public areas into .NET keys, for verification with the platform's (fast) primitives.</summary>
public static class TpmPublicKeys
{
    /// <summary>The .NET curve for a TPM curve id, or null if unsupported.</summary>
    public static ECCurve? Curve(TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP256 => ECCurve.NamedCurves.nistP256,
        TpmEccCurve.NistP384 => ECCurve.NamedCurves.nistP384,
        TpmEccCurve.NistP521 => ECCurve.NamedCurves.nistP521,
        _ => null,
    };

    /// <summary>The field size in bytes of a TPM curve (coordinate and signature-half length): <see cref="NistCurvePoints.FieldSize"/> of its curve.</summary>
    public static int CoordinateSize(TpmEccCurve curve) =>
        Curve(curve) is { } named ? CoordinateSize(named) : throw new ArgumentOutOfRangeException(nameof(curve));

    private static int CoordinateSize(ECCurve named) =>
        NistCurvePoints.FieldSize(named.Oid.Value!) ?? throw new ArgumentOutOfRangeException(nameof(named), $"no field size for {named.Oid.Value}");

    /// <summary>RSA public parameters (modulus, exponent) of an RSA public area.</summary>
    public static RSAParameters RsaParameters(TpmtPublic key)
    {
        if (key.Parameters is not TpmsRsaParms rsa || key.Unique is not TpmRsaPublicId id)
            throw new ArgumentException("not an RSA public area", nameof(key));
        var exponent = rsa.EffectiveExponent;
        var bytes = new[] { (byte)(exponent >> 24), (byte)(exponent >> 16), (byte)(exponent >> 8), (byte)exponent };
        var skip = 0;
        while (skip < 3 && bytes[skip] == 0) skip++;
        return new RSAParameters { Modulus = id.Modulus, Exponent = bytes[skip..] };
    }

    /// <summary>EC public parameters (curve, point) of an ECC public area, coordinates left-padded to the field size.</summary>
    public static ECParameters EcParameters(TpmtPublic key)
    {
        if (key.Parameters is not TpmsEccParms ecc || key.Unique is not TpmEccPublicId id)
            throw new ArgumentException("not an ECC public area", nameof(key));
        var curve = Curve(ecc.Curve) ?? throw new ArgumentException($"unsupported curve {ecc.Curve}", nameof(key));
        var size = CoordinateSize(curve);
        return new ECParameters { Curve = curve, Q = new ECPoint { X = LeftPad(id.Point.X, size), Y = LeftPad(id.Point.Y, size) } };
    }

    /// <summary>Left-pads a big-endian integer to <paramref name="size"/> bytes (TPMs may strip leading zeros).</summary>
    public static byte[] LeftPad(byte[] value, int size)
    {
        if (value.Length == size) return value;
        if (value.Length > size) throw new ArgumentException($"value of {value.Length} bytes exceeds {size}");
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }

    /// <summary>
    /// An RSA verifier for an RSA public area. Dispose it. On OpenSSL 3 the key is put into OpenSSL as it is, without
    /// the platform import's round trip through DER and OpenSSL's decoders (<see cref="OpenSslRsaKeys"/>).
    /// </summary>
    public static RSA ToRsa(TpmtPublic key)
    {
        var parameters = RsaParameters(key);
        if (LibCrypto.Available) return OpenSslRsaKeys.ImportRsa(parameters);
        var rsa = RSA.Create();
        rsa.ImportParameters(parameters);
        return rsa;
    }

    /// <summary>
    /// Whether an ECC public area's point is a usable public key on a supported curve (<see cref="NistCurvePoints"/>):
    /// the whole check an import into the platform makes, without its scalar multiplication by the group order.
    /// </summary>
    public static bool IsOnCurve(TpmtPublic key) =>
        key.Parameters is TpmsEccParms ecc && key.Unique is TpmEccPublicId id && Curve(ecc.Curve) is { } curve
        && NistCurvePoints.IsOnCurve(curve.Oid.Value!, id.Point.X, id.Point.Y);

    /// <summary>
    /// The X.509 SubjectPublicKeyInfo (DER) of an RSA or ECC public area, as a certificate or CSR carries it and as
    /// .NET exports it. An ECC key is encoded directly (named curve, uncompressed point at the field size) after
    /// <see cref="IsOnCurve"/>, without importing it.
    /// </summary>
    /// <exception cref="ArgumentException">Not an RSA or ECC key, an unsupported curve, or a point not on its curve.</exception>
    public static byte[] SubjectPublicKeyInfo(TpmtPublic key)
    {
        switch (key.Parameters)
        {
            case TpmsRsaParms:
                using (var rsa = ToRsa(key)) return rsa.ExportSubjectPublicKeyInfo();
            case TpmsEccParms ecc:
                var parameters = EcParameters(key);
                if (!IsOnCurve(key)) throw new ArgumentException($"the public point is not on {ecc.Curve}", nameof(key));
                var size = parameters.Q.X!.Length;
                var point = new byte[1 + 2 * size];
                point[0] = 0x04; // uncompressed — SEC 1, §2.3.3
                parameters.Q.X!.CopyTo(point, 1);
                parameters.Q.Y!.CopyTo(point, 1 + size);
                return PublicKeyInfo.EncodeEc(parameters.Curve.Oid.Value!, point);
            default:
                throw new ArgumentException($"{key.Type} objects have no X.509 public key", nameof(key));
        }
    }

    /// <summary>
    /// An ECDSA verifier for an EC SubjectPublicKeyInfo as <see cref="SubjectPublicKeyInfo"/> encodes it (id-ecPublicKey,
    /// a supported named curve, an uncompressed point at the field size), imported as <see cref="ToEcdsa"/> imports a
    /// public area: on OpenSSL 3 with the on-curve checks and without the platform import's multiplication by the group
    /// order. Dispose it.
    /// </summary>
    /// <exception cref="CryptographicException">Not DER of that shape, not an EC key, an unsupported curve, a point not
    /// uncompressed at the field size, or not on its curve.</exception>
    public static ECDsa EcdsaFromSubjectPublicKeyInfo(byte[] spki)
    {
        try
        {
            var (algorithm, parameters, point) = PublicKeyInfo.Read(spki);
            if (algorithm != PublicKeyInfo.EcPublicKey) throw new CryptographicException("not an EC public key");
            // the import below checks the point is on the curve, as for a public area
            if (PublicKeyInfo.TryReadEc(parameters, point, onCurve: false, out var curve) is { } problem)
                throw new CryptographicException(problem.Reason);
            var size = (point.Length - 1) / 2;
            return ImportEcdsa(new ECParameters
            {
                Curve = ECCurve.CreateFromValue(curve), Q = new ECPoint { X = point[1..(1 + size)], Y = point[(1 + size)..] },
            });
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("malformed SubjectPublicKeyInfo", e);
        }
    }

    /// <summary>
    /// An ECDSA verifier for an ECC public area. Dispose it. On OpenSSL 3 the point is checked and imported without
    /// the platform import's multiplication by the group order (<see cref="OpenSslEcKeys"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Not an ECC public area, an unsupported curve, or a coordinate too long.</exception>
    /// <exception cref="CryptographicException">The point is not on its curve.</exception>
    public static ECDsa ToEcdsa(TpmtPublic key) => ImportEcdsa(EcParameters(key));

    /// <summary>An ECDSA verifier for a public point: on OpenSSL 3 checked and imported without the order multiplication.</summary>
    private static ECDsa ImportEcdsa(ECParameters parameters)
    {
        if (!LibCrypto.Available) return ECDsa.Create(parameters);
        return OpenSslEcKeys.ImportEcdsa(parameters) ?? throw new CryptographicException($"the public point is not on {parameters.Curve.Oid.FriendlyName}");
    }
}
