using System.Buffers.Binary;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X9;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// Makes a credential seed for an ECC storage key (the ECC EK) by one-pass Diffie–Hellman with an ephemeral key
/// (TPM 2.0 Library Part 1, §24.3 and Annex C.6.4; Part 1, §11.4.10.3 for KDFe).
/// </summary>
/// <remarks>
/// In order: draw the ephemeral scalar <c>d</c> from the injected generator (uniform in [1, n−1]); <c>Q = d·G</c>;
/// <c>Z</c> = x-coordinate of <c>d·EK</c> at the curve's full size;
/// <c>seed = KDFe(nameAlg, Z, "IDENTITY", Q.x, EK.x, digestBits)</c>; the encrypted secret is <c>Q</c> as a
/// TPMS_ECC_POINT (UINT16-sized x, UINT16-sized y), which the TPM multiplies by its EK private key to get the same
/// <c>Z</c>. Coordinates are normalized to the curve's field size, as the TPM holds them, so a certificate's
/// minimal-length integers give the same seed as the TPM's public area.
/// </remarks>
public static class EccSeedEncryption
{
    /// <summary>The group orders of the supported curves, looked up once.</summary>
    private static readonly Dictionary<string, BigInteger> Orders =
        new[] { "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35" }
            .ToDictionary(oid => oid, oid => ECNamedCurveTable.GetByOid(new DerObjectIdentifier(oid)).N);

    /// <summary>Draws an ephemeral key from <paramref name="random"/> and makes a seed shared with the ECC key.</summary>
    /// <param name="nameAlg">The name algorithm of the ECC key; it sets the KDFe hash and the seed size.</param>
    /// <param name="curve">The key's named curve: NIST P-256, P-384 or P-521.</param>
    /// <param name="x">The public point's x-coordinate, big-endian unsigned.</param>
    /// <param name="y">The public point's y-coordinate, big-endian unsigned.</param>
    /// <param name="random">The randomness for the ephemeral key.</param>
    /// <returns>The seed and the marshalled ephemeral point (the TPM2B_ENCRYPTED_SECRET contents).</returns>
    /// <exception cref="ArgumentException">The curve is not supported or the point is not on it.</exception>
    public static CredentialSeed Create(HashAlgorithmName nameAlg, ECCurve curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y,
        RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int digestBytes = HashAlgorithms.DigestSize(nameAlg);
        (string oid, int fieldBytes) = Describe(curve);
        var ekPoint = new ECPoint { X = FieldElement(x, fieldBytes, nameof(x)), Y = FieldElement(y, fieldBytes, nameof(y)) };

        byte[] d = DrawScalar(oid, fieldBytes, random);
        byte[]? z = null;
        try
        {
            (byte[] qx, byte[] qy, z) = LibCrypto.Available
                ? OpenSslEcKeys.Agree(new ECParameters { Curve = curve, Q = ekPoint }, d) ?? throw new ArgumentException("The public point is not on the curve.")
                : AgreeInPlatform(curve, ekPoint, d);
            byte[] seed = Kdf.KDFe(nameAlg, z, "IDENTITY", qx, ekPoint.X, digestBytes * 8);
            return new CredentialSeed(seed, MarshalPoint(qx, qy));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
            if (z is not null) CryptographicOperations.ZeroMemory(z);
        }
    }

    /// <summary>
    /// The TPM's half, for a software TPM (the simulator's emulated devices): ActivateCredential's seed from the ECC
    /// key's private scalar <paramref name="d"/> and the ephemeral point Q of the encrypted secret — Z = x(d·Q), then
    /// the same KDFe as <see cref="Create"/>, party info Q.x and the key's x as given. The same agreement as
    /// <see cref="Create"/> with the roles swapped, so on OpenSSL 3 it too skips .NET's order multiplications; Q is
    /// still checked to be on the curve.
    /// </summary>
    /// <returns>The seed, or null when Q is not a point on <paramref name="curve"/> (a TPM's TPM_RC_ECC_POINT).</returns>
    /// <exception cref="ArgumentException">The curve is not supported.</exception>
    public static byte[]? Recover(HashAlgorithmName nameAlg, ECCurve curve, byte[] d, ReadOnlySpan<byte> keyX, ReadOnlySpan<byte> qx, ReadOnlySpan<byte> qy)
    {
        int digestBytes = HashAlgorithms.DigestSize(nameAlg);
        (_, int fieldBytes) = Describe(curve);
        if (qx.TrimStart((byte)0).Length > fieldBytes || qy.TrimStart((byte)0).Length > fieldBytes) return null;
        var q = new ECPoint { X = FieldElement(qx, fieldBytes, nameof(qx)), Y = FieldElement(qy, fieldBytes, nameof(qy)) };
        byte[]? z = null;
        try
        {
            if (LibCrypto.Available) z = OpenSslEcKeys.Agree(new ECParameters { Curve = curve, Q = q }, d)?.Z;
            else
            {
                try { z = AgreeInPlatform(curve, q, d).Z; }
                catch (ArgumentException) { z = null; }
            }
            return z is null ? null : Kdf.KDFe(nameAlg, z, "IDENTITY", qx, keyX, digestBytes * 8);
        }
        finally
        {
            if (z is not null) CryptographicOperations.ZeroMemory(z);
        }
    }

    /// <summary>
    /// Q = d·G and Z = x(d·EK) with .NET's ECDH, where it does not run on OpenSSL 3 (there <see cref="OpenSslEcKeys.Agree"/>
    /// does the same without the two order multiplications of .NET's key checks).
    /// </summary>
    private static (byte[] X, byte[] Y, byte[] Z) AgreeInPlatform(ECCurve curve, ECPoint ekPoint, byte[] d)
    {
        using ECDiffieHellman ek = ImportPublic(curve, ekPoint);
        using var ephemeral = ECDiffieHellman.Create(new ECParameters { Curve = curve, D = d });
        ECPoint q = ephemeral.ExportParameters(includePrivateParameters: false).Q;
        return (q.X!, q.Y!, ephemeral.DeriveRawSecretAgreement(ek.PublicKey));
    }

    /// <summary>TPMS_ECC_POINT — Part 2, §11.2.5.2: TPM2B_ECC_PARAMETER x || TPM2B_ECC_PARAMETER y.</summary>
    internal static byte[] MarshalPoint(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var bytes = new byte[4 + x.Length + y.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)x.Length);
        x.CopyTo(bytes.AsSpan(2));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 + x.Length), (ushort)y.Length);
        y.CopyTo(bytes.AsSpan(4 + x.Length));
        return bytes;
    }

    /// <summary>The curve's OID and field size in octets, for the curves a TPM EK uses.</summary>
    internal static (string Oid, int FieldBytes) Describe(ECCurve curve)
    {
        if (!curve.IsNamed)
            throw new ArgumentException("Only named curves are supported.", nameof(curve));
        return (curve.Oid.Value, curve.Oid.FriendlyName) switch
        {
            ("1.2.840.10045.3.1.7", _) or (null, "nistP256" or "ECDSA_P256" or "secp256r1") => ("1.2.840.10045.3.1.7", 32),
            ("1.3.132.0.34", _) or (null, "nistP384" or "ECDSA_P384" or "secp384r1") => ("1.3.132.0.34", 48),
            ("1.3.132.0.35", _) or (null, "nistP521" or "ECDSA_P521" or "secp521r1") => ("1.3.132.0.35", 66),
            _ => throw new ArgumentException($"Curve '{curve.Oid.FriendlyName ?? curve.Oid.Value}' is not supported.", nameof(curve)),
        };
    }

    /// <summary>Strips leading zeros and left-pads to the field size.</summary>
    private static byte[] FieldElement(ReadOnlySpan<byte> value, int fieldBytes, string name)
    {
        ReadOnlySpan<byte> trimmed = value.TrimStart((byte)0);
        if (trimmed.Length > fieldBytes)
            throw new ArgumentException("The coordinate is larger than the curve's field.", name);
        var padded = new byte[fieldBytes];
        trimmed.CopyTo(padded.AsSpan(fieldBytes - trimmed.Length));
        return padded;
    }

    private static ECDiffieHellman ImportPublic(ECCurve curve, ECPoint point)
    {
        try
        {
            return ECDiffieHellman.Create(new ECParameters { Curve = curve, Q = point });
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException("The public point is not on the curve.", e);
        }
    }

    /// <summary>A uniform scalar in [1, n−1] by rejection sampling, as a field-size big-endian array.</summary>
    private static byte[] DrawScalar(string oid, int fieldBytes, RandomNumberGenerator random)
    {
        BigInteger n = Orders[oid];
        int excessBits = fieldBytes * 8 - n.BitLength;
        var candidate = new byte[fieldBytes];
        while (true)
        {
            random.GetBytes(candidate);
            candidate[0] &= (byte)(0xFF >> excessBits);
            var k = new BigInteger(1, candidate);
            if (k.SignValue > 0 && k.CompareTo(n) < 0)
                return candidate;
        }
    }
}
