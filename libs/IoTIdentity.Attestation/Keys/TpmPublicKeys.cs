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

    /// <summary>The field size in bytes of a TPM curve (coordinate and signature-half length).</summary>
    public static int CoordinateSize(TpmEccCurve curve) => curve switch
    {
        TpmEccCurve.NistP256 => 32,
        TpmEccCurve.NistP384 => 48,
        TpmEccCurve.NistP521 => 66,
        _ => throw new ArgumentOutOfRangeException(nameof(curve)),
    };

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
        var size = CoordinateSize(ecc.Curve);
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

    /// <summary>An RSA verifier for an RSA public area. Dispose it.</summary>
    public static RSA ToRsa(TpmtPublic key)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(RsaParameters(key));
        return rsa;
    }

    /// <summary>The X.509 SubjectPublicKeyInfo (DER) of an RSA or ECC public area, as a certificate or CSR carries it.</summary>
    public static byte[] SubjectPublicKeyInfo(TpmtPublic key)
    {
        switch (key.Parameters)
        {
            case TpmsRsaParms:
                using (var rsa = ToRsa(key)) return rsa.ExportSubjectPublicKeyInfo();
            case TpmsEccParms:
                using (var ecdsa = ToEcdsa(key)) return ecdsa.ExportSubjectPublicKeyInfo();
            default:
                throw new ArgumentException($"{key.Type} objects have no X.509 public key", nameof(key));
        }
    }

    /// <summary>An ECDSA verifier for an ECC public area. Dispose it.</summary>
    public static ECDsa ToEcdsa(TpmtPublic key) => ECDsa.Create(EcParameters(key));
}
