using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using static IoTIdentity.Attestation.Keys.LibCrypto;

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
/// <para>The verifier checks signatures with <c>ECDSA_do_verify</c> on that key (<see cref="Verifier"/>). .NET's own
/// verification goes through OpenSSL 3's provider layer, which copies a key made this way into the provider at its first
/// use (the point encoded, decoded and checked once more) and fetches the algorithm at every call: for a key that
/// verifies once or twice, as a TPM key does, that is a third of a verification on top of it (BENCHMARKS.md, session
/// 40). The arithmetic and its checks (r and s in [1, n−1], the digest truncated to the order's length) are OpenSSL's
/// either way.</para>
/// </summary>
/// <remarks>
/// Used only when .NET itself runs on OpenSSL 3 (<see cref="SafeEvpPKeyHandle.OpenSslVersion"/>), whose library this
/// calls into (<see cref="LibCrypto.Available"/>); elsewhere callers use the platform's import.
/// </remarks>
internal static partial class OpenSslEcKeys
{
    /// <summary>An ECDSA verifier for a point given at the field size, or null if OpenSSL refuses the point.</summary>
    [SupportedOSPlatform("linux")]
    public static ECDsa? ImportEcdsa(ECParameters parameters)
    {
        var ecKey = NewKey(parameters);
        if (ecKey == IntPtr.Zero) return null;
        try
        {
            using var pkey = Wrap(ecKey);
            return new Verifier(new ECDsaOpenSsl(pkey), ecKey);
        }
        catch
        {
            EC_KEY_free(ecKey);
            throw;
        }
    }

    /// <summary>
    /// A public ECDSA key that verifies with <c>ECDSA_do_verify</c> on its own <c>EC_KEY</c>; everything else (export,
    /// key size) is .NET's <see cref="ECDsaOpenSsl"/> over the same key. Signing needs a private key it does not have.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private sealed class Verifier : ECDsa
    {
        private readonly ECDsaOpenSsl _platform;
        private readonly int _fieldSize;
        private readonly EcKeyHandle _ecKey;

        /// <summary>Takes over <paramref name="ecKey"/> (one reference, freed on dispose or, if forgotten, by the
        /// finalizer) and <paramref name="platform"/>.</summary>
        public Verifier(ECDsaOpenSsl platform, IntPtr ecKey)
        {
            _platform = platform;
            KeySizeValue = platform.KeySize;
            LegalKeySizesValue = platform.LegalKeySizes;
            _fieldSize = (platform.KeySize + 7) / 8;
            _ecKey = new EcKeyHandle(ecKey);   // last: nothing after it throws, so the caller frees the key only if this did not take it
        }

        /// <summary>Verifies an IEEE P1363 signature (r ‖ s, each at the field size) of a digest.</summary>
        public override bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
        {
            ObjectDisposedException.ThrowIf(_ecKey.IsClosed, this);
            if (signature.Length != 2 * _fieldSize || hash.IsEmpty) return false;
            var sig = ECDSA_SIG_new();
            if (sig == IntPtr.Zero) throw Failed("could not make a signature");
            try
            {
                var r = BN_bin2bn(in MemoryMarshal.GetReference(signature), _fieldSize, IntPtr.Zero);
                var s = BN_bin2bn(in signature[_fieldSize], _fieldSize, IntPtr.Zero);
                if (r == IntPtr.Zero || s == IntPtr.Zero || ECDSA_SIG_set0(sig, r, s) != 1)
                {
                    if (r != IntPtr.Zero) BN_free(r);
                    if (s != IntPtr.Zero) BN_free(s);
                    throw Failed("could not read the signature");
                }
                // 1 valid; 0 invalid (r or s out of range included); -1 an error — either way not a valid signature
                var verified = ECDSA_do_verify(in MemoryMarshal.GetReference(hash), hash.Length, sig, _ecKey.DangerousGetHandle());
                GC.KeepAlive(_ecKey);
                if (verified != 1) ERR_clear_error();
                return verified == 1;
            }
            finally
            {
                ECDSA_SIG_free(sig);
            }
        }

        public override bool VerifyHash(byte[] hash, byte[] signature)
        {
            ArgumentNullException.ThrowIfNull(hash);
            ArgumentNullException.ThrowIfNull(signature);
            return VerifyHash(hash.AsSpan(), signature.AsSpan());
        }

        public override byte[] SignHash(byte[] hash) => throw new CryptographicException("a public key cannot sign");

        public override ECParameters ExportParameters(bool includePrivateParameters) => _platform.ExportParameters(includePrivateParameters);

        public override ECParameters ExportExplicitParameters(bool includePrivateParameters) => _platform.ExportExplicitParameters(includePrivateParameters);

        public override void ImportParameters(ECParameters parameters) => throw new NotSupportedException("the verifier's key is fixed");

        public override void GenerateKey(ECCurve curve) => throw new NotSupportedException("the verifier's key is fixed");

        protected override byte[] HashData(byte[] data, int offset, int count, HashAlgorithmName hashAlgorithm) =>
            CryptographicOperations.HashData(hashAlgorithm, data.AsSpan(offset, count));

        protected override byte[] HashData(Stream data, HashAlgorithmName hashAlgorithm) =>
            CryptographicOperations.HashData(hashAlgorithm, data);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _ecKey.Dispose();
                _platform.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>One reference to an <c>EC_KEY</c>, freed when the handle is disposed or finalized.</summary>
    private sealed class EcKeyHandle : SafeHandle
    {
        public EcKeyHandle(IntPtr ecKey) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(ecKey);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            EC_KEY_free(handle);
            return true;
        }
    }

    /// <summary>
    /// One-pass ECDH with a scalar the caller drew (MakeCredential's ephemeral key, Part 1 §24.3): the ephemeral public
    /// point <c>d·G</c> and <c>Z</c> = x(<c>d·Q</c>), both at the field size, by OpenSSL's own ECDH
    /// (<c>ECDH_compute_key</c>) — without .NET's import of the scalar (which checks the key it just computed with an
    /// order multiplication) and without its peer validation at derivation (another one). Null if OpenSSL refuses
    /// <paramref name="peer"/>'s point (<see cref="NewKey"/>'s checks). The caller zeroes <paramref name="d"/> and Z.
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

    /// <summary>An EVP_PKEY holding its own reference to <paramref name="ecKey"/> (the caller keeps its own).</summary>
    [SupportedOSPlatform("linux")]
    private static SafeEvpPKeyHandle Wrap(IntPtr ecKey)
    {
        var pkey = EVP_PKEY_new();
        if (pkey == IntPtr.Zero || EVP_PKEY_set1_EC_KEY(pkey, ecKey) != 1)
        {
            if (pkey != IntPtr.Zero) EVP_PKEY_free(pkey);
            throw Failed("could not wrap the EC key");
        }
        return new SafeEvpPKeyHandle(pkey, ownsHandle: true); // EVP_PKEY_free on dispose; .NET's key objects hold their own reference
    }

    [LibraryImport(LibCrypto.Name)]
    private static partial IntPtr EC_KEY_new_by_curve_name(int nid);

    [LibraryImport(LibCrypto.Name)]
    private static partial int EC_KEY_oct2key(IntPtr key, byte[] buffer, nuint length, IntPtr context);

    [LibraryImport(LibCrypto.Name)]
    private static partial void EC_KEY_free(IntPtr key);

    [LibraryImport(LibCrypto.Name)]
    private static partial int EVP_PKEY_set1_EC_KEY(IntPtr pkey, IntPtr key);

    [LibraryImport(LibCrypto.Name)]
    private static partial IntPtr ECDSA_SIG_new();

    [LibraryImport(LibCrypto.Name)]
    private static partial void ECDSA_SIG_free(IntPtr sig);

    /// <summary>Hands r and s to the signature, which frees them.</summary>
    [LibraryImport(LibCrypto.Name)]
    private static partial int ECDSA_SIG_set0(IntPtr sig, IntPtr r, IntPtr s);

    [LibraryImport(LibCrypto.Name)]
    private static partial int ECDSA_do_verify(in byte digest, int digestLength, IntPtr sig, IntPtr key);

    [LibraryImport(LibCrypto.Name)]
    private static partial IntPtr EC_KEY_get0_group(IntPtr key);

    [LibraryImport(LibCrypto.Name)]
    private static partial IntPtr EC_KEY_get0_public_key(IntPtr key);

    [LibraryImport(LibCrypto.Name)]
    private static partial int EC_KEY_set_private_key(IntPtr key, IntPtr scalar);

    [LibraryImport(LibCrypto.Name)]
    private static partial IntPtr EC_POINT_new(IntPtr group);

    [LibraryImport(LibCrypto.Name)]
    private static partial void EC_POINT_free(IntPtr point);

    /// <summary>r = n·G + m·q (either term absent when its scalar is null).</summary>
    [LibraryImport(LibCrypto.Name)]
    private static partial int EC_POINT_mul(IntPtr group, IntPtr r, IntPtr n, IntPtr q, IntPtr m, IntPtr context);

    [LibraryImport(LibCrypto.Name)]
    private static partial nuint EC_POINT_point2oct(IntPtr group, IntPtr point, int form, byte[] buffer, nuint length, IntPtr context);

    [LibraryImport(LibCrypto.Name)]
    private static partial int ECDH_compute_key(byte[] output, nuint length, IntPtr peerPoint, IntPtr key, IntPtr kdf);
}
