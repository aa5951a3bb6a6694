using System.Runtime.Versioning;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Crypto;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Attestation.Tests.Crypto;

public sealed class SeedEncryptionTests
{
    [Fact]
    public void RSA_seed_decrypts_with_the_private_key_under_OAEP_with_the_IDENTITY_label()
    {
        using var ek = RSA.Create(2048);
        RSAParameters key = ek.ExportParameters(includePrivateParameters: true);

        CredentialSeed made = RsaSeedEncryption.Create(HashAlgorithmName.SHA256, key.Modulus, key.Exponent, RandomNumberGenerator.Create());

        Assert.Equal(32, made.Seed.Length);
        Assert.Equal(256, made.EncryptedSecret.Length);
        Assert.Equal(made.Seed, DecryptOaep(key, "IDENTITY\0"u8.ToArray(), made.EncryptedSecret));
        Assert.ThrowsAny<InvalidCipherTextException>(() => DecryptOaep(key, "STORAGE\0"u8.ToArray(), made.EncryptedSecret));
    }

    [Fact]
    public void RSA_seed_with_an_empty_exponent_uses_the_TPM_default_65537()
    {
        using var ek = RSA.Create(2048);
        RSAParameters key = ek.ExportParameters(includePrivateParameters: true);

        CredentialSeed made = RsaSeedEncryption.Create(HashAlgorithmName.SHA256, key.Modulus, [], RandomNumberGenerator.Create());

        Assert.Equal(made.Seed, DecryptOaep(key, "IDENTITY\0"u8.ToArray(), made.EncryptedSecret));
    }

    [Fact]
    public void RSA_public_key_for_seed_encryption_skips_only_the_Miller_Rabin_test_and_only_for_that_call()
    {
        // A prime "modulus" passes the cheap checks; only the Miller–Rabin test would reject it.
        BigInteger prime = BigInteger.ProbablePrime(1024, new SecureRandom());
        byte[] exponent = [0x01, 0x00, 0x01];

        RsaKeyParameters key = RsaSeedEncryption.CreatePublicKey(prime.ToByteArrayUnsigned(), exponent);

        Assert.Equal(prime, key.Modulus);
        Assert.Null(Properties.GetThreadProperty(RsaSeedEncryption.MaxMillerRabinRoundsProperty));
        Assert.Throws<ArgumentException>(() => new RsaKeyParameters(false, prime, new BigInteger(1, exponent)));
        Assert.Throws<ArgumentException>(() => RsaSeedEncryption.CreatePublicKey(prime.Multiply(BigInteger.Two).ToByteArrayUnsigned(), exponent));
    }

    /// <summary>RSA keys of every shape the engine must take: common sizes, a modulus whose length is not a whole number
    /// of bytes, the exponents 3, 65537 and a large one, and a 4096-bit key with a 72-bit exponent that OpenSSL refuses
    /// (left to BouncyCastle's engine).</summary>
    public static TheoryData<int, long> RsaShapes => new()
    {
        { 1024, 65537 }, { 2048, 65537 }, { 2048, 3 }, { 2047, 65537 }, { 3072, 0x1_0000_0001 }, { 4096, -72 },
    };

    [Theory]
    [MemberData(nameof(RsaShapes))]
    [SupportedOSPlatform("linux")]
    public void OpenSSLs_RSA_operation_gives_byte_for_byte_what_BouncyCastles_engine_gives_raw_and_under_OAEP(int bits, long exponent)
    {
        // -k: an exponent of k bits (2^(k-1) + 1), beyond what OpenSSL takes beside a modulus over 3,072 bits
        var e = exponent > 0 ? BigInteger.ValueOf(exponent) : BigInteger.One.ShiftLeft((int)-exponent - 1).Add(BigInteger.One);
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(e, new SecureRandom(), bits, 20));
        var key = (RsaKeyParameters)generator.GenerateKeyPair().Public;
        Assert.Equal(bits, key.Modulus.BitLength);
        var random = new Random(bits);

        var raw = new OpenSslRsaPublicEngine();
        raw.Init(true, key);
        var reference = new RsaEngine();
        reference.Init(true, key);
        Assert.Equal((reference.GetInputBlockSize(), reference.GetOutputBlockSize()), (raw.GetInputBlockSize(), raw.GetOutputBlockSize()));
        for (var i = 0; i < 20; i++)
        {
            // every length up to the input block, leading zeros included
            var block = new byte[random.Next(1, raw.GetInputBlockSize() + 1)];
            random.NextBytes(block);
            if (i % 5 == 0) block[0] = 0;
            Assert.Equal(reference.ProcessBlock(block, 0, block.Length), raw.ProcessBlock(block, 0, block.Length));
        }
        // not below the modulus, or longer than it: refused alike
        var modulus = key.Modulus.ToByteArrayUnsigned();
        byte[] plusOne = key.Modulus.Add(BigInteger.One).ToByteArrayUnsigned(), allOnes = Enumerable.Repeat((byte)0xFF, modulus.Length).ToArray();
        foreach (var tooLarge in (byte[][])[modulus, plusOne, allOnes, [0, .. modulus], new byte[modulus.Length + 1]])
        {
            if (tooLarge.Length > raw.GetOutputBlockSize() + 1) continue;
            var expected = Record.Exception(() => reference.ProcessBlock(tooLarge, 0, tooLarge.Length));
            var actual = Record.Exception(() => raw.ProcessBlock(tooLarge, 0, tooLarge.Length));
            Assert.Equal(expected?.GetType(), actual?.GetType());
        }

        // under OAEP with the label and the same randomness: the same ciphertext
        for (var i = 0; i < 5; i++)
        {
            var seed = new byte[32];
            random.NextBytes(seed);
            Assert.Equal(Oaep(new RsaEngine(), key, i, seed), Oaep(new OpenSslRsaPublicEngine(), key, i, seed));
        }
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void The_engine_encrypts_with_a_public_key_only()
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), new SecureRandom(), 1024, 20));
        var pair = generator.GenerateKeyPair();

        Assert.Throws<ArgumentException>(() => new OpenSslRsaPublicEngine().Init(false, pair.Public));
        Assert.Throws<ArgumentException>(() => new OpenSslRsaPublicEngine().Init(true, pair.Private));
        Assert.Throws<InvalidOperationException>(() => new OpenSslRsaPublicEngine().GetInputBlockSize());
    }

    private static byte[] Oaep(IAsymmetricBlockCipher engine, RsaKeyParameters key, int randomness, byte[] seed)
    {
        var random = SecureRandom.GetInstance("SHA256PRNG", autoSeed: false);
        random.SetSeed(BitConverter.GetBytes(randomness));
        var oaep = new OaepEncoding(engine, new Sha256Digest(), new Sha256Digest(), "IDENTITY\0"u8.ToArray());
        oaep.Init(true, new ParametersWithRandom(key, random));
        return oaep.ProcessBlock(seed, 0, seed.Length);
    }

    [Theory]
    [InlineData("nistP256", "SHA256")]
    [InlineData("nistP384", "SHA384")]
    [InlineData("nistP521", "SHA512")]
    public void ECC_seed_is_recomputed_by_the_private_side_with_the_EK_private_key(string curveName, string hash)
    {
        var nameAlg = new HashAlgorithmName(hash);
        using var ek = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curveName));
        ECParameters ekPublic = ek.ExportParameters(includePrivateParameters: false);

        CredentialSeed made = EccSeedEncryption.Create(nameAlg, ekPublic.Curve, ekPublic.Q.X, ekPublic.Q.Y, RandomNumberGenerator.Create());

        Assert.Equal(HashAlgorithms.DigestSize(nameAlg), made.Seed.Length);
        Assert.Equal(4 + 2 * ekPublic.Q.X!.Length, made.EncryptedSecret.Length);
        Assert.Equal(made.Seed, EccSeedOnTheTpmSide(ek, nameAlg, made.EncryptedSecret));
    }

    [Fact]
    public void ECC_seed_refuses_a_point_that_is_not_on_the_curve()
    {
        using var ek = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters ekPublic = ek.ExportParameters(includePrivateParameters: false);
        byte[] y = (byte[])ekPublic.Q.Y!.Clone();
        y[^1] ^= 1;

        Assert.Throws<ArgumentException>(() => EccSeedEncryption.Create(
            HashAlgorithmName.SHA256, ekPublic.Curve, ekPublic.Q.X, y, RandomNumberGenerator.Create()));
    }

    [Theory]
    [InlineData("nistP256", "SHA256")]
    [InlineData("nistP384", "SHA384")]
    [InlineData("nistP521", "SHA512")]
    public void A_software_TPM_recovers_the_ECC_seed_from_the_EK_scalar_as_NET_ECDH_does(string curveName, string hash)
    {
        var nameAlg = new HashAlgorithmName(hash);
        using var ek = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curveName));
        ECParameters ekPrivate = ek.ExportParameters(includePrivateParameters: true);
        CredentialSeed made = EccSeedEncryption.Create(nameAlg, ekPrivate.Curve, ekPrivate.Q.X, ekPrivate.Q.Y, RandomNumberGenerator.Create());
        var (x, y) = Point(made.EncryptedSecret);

        byte[]? recovered = EccSeedEncryption.Recover(nameAlg, ekPrivate.Curve, ekPrivate.D!, ekPrivate.Q.X, x, y);

        Assert.Equal(made.Seed, recovered);
        Assert.Equal(EccSeedOnTheTpmSide(ek, nameAlg, made.EncryptedSecret), recovered);
    }

    [Fact]
    public void A_software_TPM_refuses_an_ephemeral_point_off_the_curve_or_longer_than_the_field()
    {
        using var ek = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters ekPrivate = ek.ExportParameters(includePrivateParameters: true);
        CredentialSeed made = EccSeedEncryption.Create(HashAlgorithmName.SHA256, ekPrivate.Curve, ekPrivate.Q.X, ekPrivate.Q.Y, RandomNumberGenerator.Create());
        var (x, y) = Point(made.EncryptedSecret);
        byte[] offCurve = (byte[])y.Clone();
        offCurve[^1] ^= 1;

        Assert.Null(EccSeedEncryption.Recover(HashAlgorithmName.SHA256, ekPrivate.Curve, ekPrivate.D!, ekPrivate.Q.X, x, offCurve));
        Assert.Null(EccSeedEncryption.Recover(HashAlgorithmName.SHA256, ekPrivate.Curve, ekPrivate.D!, ekPrivate.Q.X, [0x01, .. x], y));
    }

    private static (byte[] X, byte[] Y) Point(byte[] encryptedSecret)
    {
        int xSize = (encryptedSecret[0] << 8) | encryptedSecret[1];
        return (encryptedSecret.AsSpan(2, xSize).ToArray(), encryptedSecret.AsSpan(4 + xSize).ToArray());
    }

    /// <summary>What TPM2_ActivateCredential does with an RSA EK: OAEP-decrypt the secret with the label.</summary>
    internal static byte[] DecryptOaep(RSAParameters key, byte[] label, byte[] encrypted)
    {
        var oaep = new OaepEncoding(new RsaEngine(), new Sha256Digest(), new Sha256Digest(), label);
        oaep.Init(false, DotNetUtilities.GetRsaKeyPair(key).Private);
        return oaep.ProcessBlock(encrypted, 0, encrypted.Length);
    }

    /// <summary>
    /// What TPM2_ActivateCredential does with an ECC EK: Z = x(d_EK · Q_ephemeral), then KDFe with the ephemeral x as
    /// it came. A TPM2B_ECC_PARAMETER may drop leading zero bytes (tpm2_makecredential does, about once in a hundred
    /// points), so the coordinates are padded to the field size only to import the point.
    /// </summary>
    internal static byte[] EccSeedOnTheTpmSide(ECDiffieHellman ek, HashAlgorithmName nameAlg, byte[] encryptedSecret)
    {
        int xSize = (encryptedSecret[0] << 8) | encryptedSecret[1];
        byte[] x = encryptedSecret.AsSpan(2, xSize).ToArray();
        byte[] y = encryptedSecret.AsSpan(4 + xSize).ToArray();
        ECParameters ekPublic = ek.ExportParameters(includePrivateParameters: false);
        int fieldSize = ekPublic.Q.X!.Length;
        using var ephemeral = ECDiffieHellman.Create(new ECParameters { Curve = ekPublic.Curve, Q = new ECPoint { X = PadTo(fieldSize, x), Y = PadTo(fieldSize, y) } });
        byte[] z = ek.DeriveRawSecretAgreement(ephemeral.PublicKey);
        return Kdf.KDFe(nameAlg, z, "IDENTITY", x, ekPublic.Q.X, HashAlgorithms.DigestSize(nameAlg) * 8);
    }

    private static byte[] PadTo(int size, byte[] value) => value.Length >= size ? value : [.. new byte[size - value.Length], .. value];
}
