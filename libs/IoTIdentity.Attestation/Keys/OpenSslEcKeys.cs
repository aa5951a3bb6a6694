using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Keys;

/// <summary>
/// EC public keys put into OpenSSL without the order multiplication of .NET's import. On Linux .NET imports a public
/// point with <c>EC_KEY_set_public_key_affine_coordinates</c>, which ends in <c>EC_KEY_check_key</c>: besides the
/// on-curve check it multiplies the point by the group order — for P-256 more than half the cost of an ECDSA
/// verification, and a check that cannot fail for a point on a curve of cofactor 1 (every NIST curve). Here
/// <c>EC_KEY_oct2key</c> decodes the uncompressed point with the checks that do matter there — each coordinate below
/// the field prime, the point on the named curve (an affine point is never the point at infinity) — and the key is
/// handed to .NET's own OpenSSL classes, which hold their own reference to it; MakeCredential's one-pass ECDH is
/// OpenSSL's own on such a key (<see cref="Agree"/>).
/// </summary>
/// <remarks>
/// Used only when .NET itself runs on OpenSSL 3 (<see cref="SafeEvpPKeyHandle.OpenSslVersion"/>), whose library this
/// calls into; elsewhere <see cref="Available"/> is false and callers use the platform's import.
/// </remarks>
internal static partial class OpenSslEcKeys
{
    private const string LibCrypto = "libcrypto.so.3";

    /// <summary>EVP_PKEY_EC (= NID_X9_62_id_ecPublicKey).</summary>
    private const int EvpPkeyEc = 408;

    /// <summary>Whether .NET's cryptography runs on OpenSSL 3 in this process, and its libcrypto loads by that name.</summary>
    [SupportedOSPlatformGuard("linux")]
    public static bool Available { get; } = OperatingSystem.IsLinux()
        && SafeEvpPKeyHandle.OpenSslVersion is >= 0x3000_0000 and < 0x4000_0000
        && NativeLibrary.TryLoad(LibCrypto, out _);

    /// <summary>An ECDSA verifier for a point given at the field size, or null if OpenSSL refuses the point.</summary>
    [SupportedOSPlatform("linux")]
    public static ECDsa? ImportEcdsa(ECParameters parameters)
    {
        using var key = Import(parameters);
        return key is null ? null : new ECDsaOpenSsl(key);
    }

    /// <summary>
    /// One-pass ECDH with a scalar the caller drew (MakeCredential's ephemeral key, Part 1 §24.3): the ephemeral public
    /// point <c>d·G</c> and <c>Z</c> = x(<c>d·Q</c>), both at the field size, by OpenSSL's own ECDH
    /// (<c>ECDH_compute_key</c>) — without .NET's import of the scalar (which checks the key it just computed with an
    /// order multiplication) and without its peer validation at derivation (another one). Null if OpenSSL refuses
    /// <paramref name="peer"/>'s point (<see cref="Import"/>'s checks). The caller zeroes <paramref name="d"/> and Z.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static (byte[] X, byte[] Y, byte[] Z)? Agree(ECParameters peer, byte[] d)
    {
        var peerKey = NewKey(peer);
        if (peerKey == IntPtr.Zero) return null;
        IntPtr ephemeral = IntPtr.Zero, scalar = IntPtr.Zero, point = IntPtr.Zero;
        try
        {
            var size = peer.Q.X!.Length;
            var group = EC_KEY_get0_group(peerKey);
            ephemeral = EC_KEY_new_by_curve_name(Nid(peer.Curve));
            scalar = BN_bin2bn(d, d.Length, IntPtr.Zero);
            point = EC_POINT_new(group);
            if (ephemeral == IntPtr.Zero || scalar == IntPtr.Zero || point == IntPtr.Zero
                || EC_POINT_mul(group, point, scalar, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero) != 1
                || EC_KEY_set_private_key(ephemeral, scalar) != 1)
                throw Failed("could not make the ephemeral key");
            var encoded = new byte[1 + 2 * size];
            if (EC_POINT_point2oct(group, point, 4 /* POINT_CONVERSION_UNCOMPRESSED */, encoded, (nuint)encoded.Length, IntPtr.Zero) != (nuint)encoded.Length)
                throw Failed("could not encode the ephemeral point");
            var z = new byte[size];
            if (ECDH_compute_key(z, (nuint)z.Length, EC_KEY_get0_public_key(peerKey), ephemeral, IntPtr.Zero) != z.Length)
                throw Failed("could not derive the shared secret");
            return (encoded[1..(1 + size)], encoded[(1 + size)..], z);
        }
        finally
        {
            if (point != IntPtr.Zero) EC_POINT_free(point);
            if (scalar != IntPtr.Zero) BN_clear_free(scalar);
            if (ephemeral != IntPtr.Zero) EC_KEY_free(ephemeral); // clears the private key
            EC_KEY_free(peerKey);
        }
    }

    private static CryptographicException Failed(string what)
    {
        ERR_clear_error();
        return new CryptographicException($"OpenSSL {what}");
    }

    private static int Nid(ECCurve curve) => curve.Oid.Value switch
    {
        "1.2.840.10045.3.1.7" => 415, // NID_X9_62_prime256v1
        "1.3.132.0.34" => 715,        // NID_secp384r1
        "1.3.132.0.35" => 716,        // NID_secp521r1
        _ => throw new ArgumentException($"curve {curve.Oid.FriendlyName ?? curve.Oid.Value} is not supported", nameof(curve)),
    };

    /// <summary>An EC_KEY holding the public point, decoded with the checks above; zero if OpenSSL refuses the point.</summary>
    [SupportedOSPlatform("linux")]
    private static IntPtr NewKey(ECParameters parameters)
    {
        var nid = Nid(parameters.Curve);
        byte[] x = parameters.Q.X!, y = parameters.Q.Y!;
        if (x.Length != y.Length) throw new ArgumentException("the coordinates are not both at the field size", nameof(parameters));
        var point = new byte[1 + x.Length + y.Length];
        point[0] = 0x04; // uncompressed — SEC 1, §2.3.3
        x.CopyTo(point, 1);
        y.CopyTo(point, 1 + x.Length);

        var ecKey = EC_KEY_new_by_curve_name(nid);
        if (ecKey == IntPtr.Zero) throw new CryptographicException("OpenSSL could not make an EC key");
        if (EC_KEY_oct2key(ecKey, point, (nuint)point.Length, IntPtr.Zero) != 1)
        {
            EC_KEY_free(ecKey);
            ERR_clear_error(); // the refusal is the answer; leave no error behind for the next OpenSSL call on this thread
            return IntPtr.Zero;
        }
        return ecKey;
    }

    [SupportedOSPlatform("linux")]
    private static SafeEvpPKeyHandle? Import(ECParameters parameters)
    {
        var ecKey = NewKey(parameters);
        if (ecKey == IntPtr.Zero) return null;
        var pkey = EVP_PKEY_new();
        if (pkey == IntPtr.Zero || EVP_PKEY_assign(pkey, EvpPkeyEc, ecKey) != 1)
        {
            EC_KEY_free(ecKey);
            if (pkey != IntPtr.Zero) EVP_PKEY_free(pkey);
            ERR_clear_error();
            throw new CryptographicException("OpenSSL could not wrap the EC key");
        }
        return new SafeEvpPKeyHandle(pkey, ownsHandle: true); // EVP_PKEY_free on dispose; .NET's key objects hold their own reference
    }

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EC_KEY_new_by_curve_name(int nid);

    [LibraryImport(LibCrypto)]
    private static partial int EC_KEY_oct2key(IntPtr key, byte[] buffer, nuint length, IntPtr context);

    [LibraryImport(LibCrypto)]
    private static partial void EC_KEY_free(IntPtr key);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EVP_PKEY_new();

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_assign(IntPtr pkey, int type, IntPtr key);

    [LibraryImport(LibCrypto)]
    private static partial void EVP_PKEY_free(IntPtr pkey);

    [LibraryImport(LibCrypto)]
    private static partial void ERR_clear_error();

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EC_KEY_get0_group(IntPtr key);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EC_KEY_get0_public_key(IntPtr key);

    [LibraryImport(LibCrypto)]
    private static partial int EC_KEY_set_private_key(IntPtr key, IntPtr scalar);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr BN_bin2bn(byte[] bytes, int length, IntPtr result);

    [LibraryImport(LibCrypto)]
    private static partial void BN_clear_free(IntPtr bignum);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EC_POINT_new(IntPtr group);

    [LibraryImport(LibCrypto)]
    private static partial void EC_POINT_free(IntPtr point);

    /// <summary>r = n·G + m·q (either term absent when its scalar is null).</summary>
    [LibraryImport(LibCrypto)]
    private static partial int EC_POINT_mul(IntPtr group, IntPtr r, IntPtr n, IntPtr q, IntPtr m, IntPtr context);

    [LibraryImport(LibCrypto)]
    private static partial nuint EC_POINT_point2oct(IntPtr group, IntPtr point, int form, byte[] buffer, nuint length, IntPtr context);

    [LibraryImport(LibCrypto)]
    private static partial int ECDH_compute_key(byte[] output, nuint length, IntPtr peerPoint, IntPtr key, IntPtr kdf);
}
