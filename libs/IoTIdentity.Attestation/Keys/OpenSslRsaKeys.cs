using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using static IoTIdentity.Attestation.Keys.LibCrypto;

namespace IoTIdentity.Attestation.Keys;

/// <summary>
/// RSA public keys put into OpenSSL without .NET's import. On Linux .NET imports <see cref="RSAParameters"/> by writing
/// them as DER and decoding that with OpenSSL 3's decoder framework, which looks its decoders up by name at every call:
/// ≈ 120 µs for a 2048-bit key, six times the verification it is imported for (BENCHMARKS.md, session 40). Here the
/// modulus and exponent go into an <c>RSA</c> as they are (<c>RSA_set0_key</c>), which is what that decoding ends in,
/// and the key is handed to .NET's own <see cref="RSAOpenSsl"/>, which holds its own reference to it; verification,
/// export and OpenSSL's checks of the key at use are .NET's and OpenSSL's as before. What that decoding refuses is
/// refused here first (<see cref="Refusal"/>), so a key is taken exactly when .NET would take it (<c>OpenSslRsaKeysTests</c>).
/// </summary>
/// <remarks>Used only where <see cref="LibCrypto.Available"/>; elsewhere callers use the platform's import.</remarks>
[SupportedOSPlatform("linux")]
internal static partial class OpenSslRsaKeys
{
    /// <summary>An RSA verifier for a public key (modulus and exponent, big-endian unsigned).</summary>
    /// <exception cref="CryptographicException">A key .NET's import refuses (<see cref="Refusal"/>), or OpenSSL refuses it.</exception>
    public static RSA ImportRsa(RSAParameters parameters)
    {
        if (Refusal(parameters.Modulus, parameters.Exponent) is { } refused) throw new CryptographicException(refused);
        var rsa = NewKey(parameters.Modulus!, parameters.Exponent!);
        if (rsa == IntPtr.Zero) throw new CryptographicException("OpenSSL could not make the RSA key");
        var pkey = EVP_PKEY_new();
        var wrapped = pkey != IntPtr.Zero && EVP_PKEY_set1_RSA(pkey, rsa) == 1;
        RSA_free(rsa);   // the EVP_PKEY holds its own reference
        if (!wrapped)
        {
            if (pkey != IntPtr.Zero) EVP_PKEY_free(pkey);
            ERR_clear_error();
            throw new CryptographicException("OpenSSL could not wrap the RSA key");
        }
        using var handle = new SafeEvpPKeyHandle(pkey, ownsHandle: true);
        return new RSAOpenSsl(handle);
    }

    /// <summary>The largest modulus OpenSSL takes (OPENSSL_RSA_MAX_MODULUS_BITS).</summary>
    public const int MaxModulusBits = 16_384;

    /// <summary>
    /// Why .NET's own import would refuse the key, or null: what OpenSSL's decoding checks before the key is made — a
    /// modulus that is not zero and at most <see cref="MaxModulusBits"/> bits, an exponent that is odd and above 1
    /// (an exponent of 1 would make every padded digest its own signature).
    /// </summary>
    internal static string? Refusal(byte[]? modulus, byte[]? exponent)
    {
        var n = Significant(modulus);
        var e = Significant(exponent);
        if (n.IsEmpty) return "the RSA modulus is zero or missing";
        if ((n.Length - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount(n[0])) > MaxModulusBits)
            return $"the RSA modulus is longer than {MaxModulusBits} bits";
        if (e.IsEmpty || (e[^1] & 1) == 0 || e is [1]) return "bad e value: the RSA exponent must be odd and above 1";
        return null;

        static ReadOnlySpan<byte> Significant(byte[]? value)
        {
            var span = value.AsSpan();
            while (!span.IsEmpty && span[0] == 0) span = span[1..];
            return span;
        }
    }

    /// <summary>c = m^e mod n for a block at the modulus length below the modulus (<c>RSA_public_encrypt</c> without
    /// padding); null when OpenSSL refuses the key or the block.</summary>
    public static byte[]? PublicOperation(byte[] modulus, byte[] exponent, byte[] block)
    {
        var rsa = NewKey(modulus, exponent);
        if (rsa == IntPtr.Zero) return null;
        var output = new byte[block.Length];
        var done = RSA_public_encrypt(block.Length, block, output, rsa, NoPadding) == block.Length;
        RSA_free(rsa);
        if (!done) ERR_clear_error(); // the refusal is answered by the caller; leave no error behind on this thread
        return done ? output : null;
    }

    /// <summary>An <c>RSA</c> holding n and e; zero (and no error left queued) if OpenSSL refuses them. Free it.</summary>
    private static IntPtr NewKey(byte[] modulus, byte[] exponent)
    {
        var rsa = RSA_new();
        IntPtr n = BN_bin2bn(modulus, modulus.Length, IntPtr.Zero), e = BN_bin2bn(exponent, exponent.Length, IntPtr.Zero);
        if (rsa != IntPtr.Zero && n != IntPtr.Zero && e != IntPtr.Zero && RSA_set0_key(rsa, n, e, IntPtr.Zero) == 1) return rsa;
        // the key did not take n and e: they are still ours
        if (n != IntPtr.Zero) BN_free(n);
        if (e != IntPtr.Zero) BN_free(e);
        if (rsa != IntPtr.Zero) RSA_free(rsa);
        ERR_clear_error();
        return IntPtr.Zero;
    }

    /// <summary>RSA_NO_PADDING.</summary>
    private const int NoPadding = 3;

    [LibraryImport(LibCrypto.Name)]
    private static partial IntPtr RSA_new();

    [LibraryImport(LibCrypto.Name)]
    private static partial void RSA_free(IntPtr rsa);

    /// <summary>Hands n and e to the key, which frees them.</summary>
    [LibraryImport(LibCrypto.Name)]
    private static partial int RSA_set0_key(IntPtr rsa, IntPtr n, IntPtr e, IntPtr d);

    [LibraryImport(LibCrypto.Name)]
    private static partial int EVP_PKEY_set1_RSA(IntPtr pkey, IntPtr rsa);

    [LibraryImport(LibCrypto.Name)]
    private static partial int RSA_public_encrypt(int length, byte[] from, byte[] to, IntPtr rsa, int padding);
}
