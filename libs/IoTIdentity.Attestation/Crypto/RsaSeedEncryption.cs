using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Utilities;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>
/// Makes a credential seed for an RSA storage key (the RSA EK): a random seed of the name algorithm's digest size,
/// encrypted with RSA-OAEP using the name algorithm for both OAEP and MGF1 and the label <c>"IDENTITY\0"</c>
/// (TPM 2.0 Library Part 1, §24.3 and Annex B.10.3).
/// </summary>
/// <remarks>
/// .NET's <see cref="RSA"/> cannot put a label into OAEP, so BouncyCastle's <see cref="OaepEncoding"/> does the
/// padding, over OpenSSL's RSA public operation where .NET runs on OpenSSL 3 (<see cref="OpenSslRsaPublicEngine"/>:
/// BouncyCastle's own takes ≈ 270 µs of the 320 µs MakeCredential took). See <see cref="CreatePublicKey"/> for why its modulus validation is reduced.
/// </remarks>
public static class RsaSeedEncryption
{
    /// <summary>The BouncyCastle property that caps the Miller–Rabin rounds run on an RSA modulus (0 = none).</summary>
    internal const string MaxMillerRabinRoundsProperty = "Org.BouncyCastle.Rsa.MaxMRTests";

    private static readonly byte[] IdentityLabel = "IDENTITY\0"u8.ToArray();

    /// <summary>Draws a seed from <paramref name="random"/> and encrypts it to the RSA key.</summary>
    /// <param name="nameAlg">The name algorithm of the RSA key; it sets the seed size and the OAEP hash.</param>
    /// <param name="modulus">The modulus, big-endian unsigned (TPM2B_PUBLIC_KEY_RSA content or the certificate's).</param>
    /// <param name="exponent">The public exponent, big-endian unsigned; empty or zero means the TPM default 65537 (Part 2, §12.2.3.5).</param>
    /// <param name="random">The randomness for the seed and the OAEP padding.</param>
    /// <returns>The seed and its OAEP ciphertext (the TPM2B_ENCRYPTED_SECRET contents).</returns>
    /// <exception cref="ArgumentException">The key is not a usable RSA public key (even, too large, small factors).</exception>
    public static CredentialSeed Create(HashAlgorithmName nameAlg, ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent,
        RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        byte[] seed = new byte[HashAlgorithms.DigestSize(nameAlg)];
        random.GetBytes(seed);

        // the padding is BouncyCastle's either way; the modular exponentiation OpenSSL's where .NET runs on OpenSSL 3
        IAsymmetricBlockCipher engine = LibCrypto.Available ? new OpenSslRsaPublicEngine() : new RsaEngine();
        var oaep = new OaepEncoding(engine, HashAlgorithms.CreateBouncyCastleDigest(nameAlg),
            HashAlgorithms.CreateBouncyCastleDigest(nameAlg), IdentityLabel);
        oaep.Init(true, new ParametersWithRandom(CreatePublicKey(modulus, exponent), BouncyCastleRandom.From(random)));
        byte[] encrypted = oaep.ProcessBlock(seed, 0, seed.Length);
        return new CredentialSeed(seed, encrypted);
    }

    /// <summary>
    /// Builds BouncyCastle's RSA public key without its probabilistic primality test of the modulus.
    /// </summary>
    /// <remarks>
    /// <para>BouncyCastle 2.x checks every RSA modulus it is given: odd, at most 16384 bits, no small prime factors, and
    /// then a Miller–Rabin test that the modulus is composite (3–7 rounds for 2048–4096-bit moduli) — about 13 ms for
    /// a 2048-bit key, far more than the encryption itself. The full-check constructor flag (<c>isInternal</c>) is
    /// internal to BouncyCastle; the supported switch is the <c>Org.BouncyCastle.Rsa.MaxMRTests</c> property, which we
    /// set to 0 only on this thread and only around this constructor (<c>Properties.WithThreadProperty</c> restores it),
    /// so no other BouncyCastle user in the process is affected. The cheap checks (odd, size, small factors) remain.</para>
    /// <para>Why skipping it is safe here: we only ever encrypt to this key — never verify a signature with it or trust
    /// anything it says. A modulus that is secretly prime (or otherwise weak) can only make the seed recoverable by
    /// someone else, which harms the device that presented the key; the device still has to prove possession
    /// (ActivateCredential) of the matching TPM key, and the EK certificate that binds the key to a manufacturer is
    /// checked separately by signature.</para>
    /// </remarks>
    internal static RsaKeyParameters CreatePublicKey(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        var n = new BigInteger(1, modulus);
        BigInteger e = exponent.IsEmpty || new BigInteger(1, exponent).SignValue == 0
            ? BigInteger.ValueOf(65537)
            : new BigInteger(1, exponent);
        return Properties.WithThreadProperty(MaxMillerRabinRoundsProperty, "0", (n, e),
            static key => new RsaKeyParameters(isPrivate: false, key.n, key.e));
    }
}
