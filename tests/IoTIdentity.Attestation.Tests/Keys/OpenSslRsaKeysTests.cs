using System.Runtime.Versioning;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Keys;

namespace IoTIdentity.Attestation.Tests.Keys;

/// <summary>
/// An RSA public key put into OpenSSL as it is (<see cref="OpenSslRsaKeys"/>) verifies exactly what .NET's own import
/// verifies, for keys of every size and exponent a TPM may present and for parameters no TPM should: where .NET's import
/// refuses a key, this one refuses it too or accepts no signature with it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class OpenSslRsaKeysTests
{
    public static TheoryData<int, int> Generated => new() { { 1024, 65537 }, { 2048, 65537 }, { 2048, 3 }, { 3072, 65537 }, { 4096, 17 } };

    [Theory]
    [MemberData(nameof(Generated))]
    public void A_key_put_in_as_it_is_accepts_and_refuses_exactly_what_the_platform_import_does(int bits, int exponent)
    {
        using var signer = Generate(bits, exponent);
        var parameters = signer.ExportParameters(false);
        using var reference = RSA.Create();
        reference.ImportParameters(parameters);
        using var direct = OpenSslRsaKeys.ImportRsa(parameters);
        using var other = RSA.Create(bits);
        var random = new Random(bits + exponent);

        Assert.Equal(reference.ExportSubjectPublicKeyInfo(), direct.ExportSubjectPublicKeyInfo());
        Assert.Equal(reference.KeySize, direct.KeySize);
        foreach (var hash in (HashAlgorithmName[])[HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA384])
        foreach (var padding in (RSASignaturePadding[])[RSASignaturePadding.Pkcs1, RSASignaturePadding.Pss])
        {
            var message = new byte[random.Next(0, 100)];
            random.NextBytes(message);
            var good = signer.SignData(message, hash, padding);
            var flipped = (byte[])good.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            foreach (var (how, signature) in (IEnumerable<(string, byte[])>)[
                ("as signed", good), ("flipped", flipped), ("another key's", other.SignData(message, hash, padding)),
                ("one byte short", good[..^1]), ("one byte long", [0, .. good]), ("the modulus", parameters.Modulus!),
                ("zero", new byte[good.Length])])
            {
                Assert.True(Verifies(reference, message, signature, hash, padding) == Verifies(direct, message, signature, hash, padding),
                    $"{bits}/{exponent} {hash} {padding} {how}");
            }
            Assert.True(Verifies(direct, message, good, hash, padding));
        }
    }

    /// <summary>Parameters no TPM should present, each with the kinds of signature that could pass with them.</summary>
    public static TheoryData<string> Odd => new()
    {
        "modulus with a leading zero", "exponent with leading zeros", "exponent 1", "even exponent", "even modulus",
        "exponent above the modulus", "modulus zero", "512-bit modulus", "17,000-bit modulus", "empty modulus", "empty exponent",
        "exponent zero", "exponent 2^64 + 1", "exponent 2^256 + 1", "modulus 1", "modulus 3", "modulus 2^2047", "16,384-bit modulus",
        "16,385-bit modulus",
    };

    [Theory]
    [MemberData(nameof(Odd))]
    public void Parameters_no_TPM_should_present_are_refused_or_verify_no_more_than_the_platform_import_verifies(string how)
    {
        using var real = Generate(2048, 65537);
        var p = real.ExportParameters(false);
        var parameters = how switch
        {
            "modulus with a leading zero" => p with { Modulus = [0, .. p.Modulus!] },
            "exponent with leading zeros" => p with { Exponent = [0, 0, .. p.Exponent!] },
            "exponent 1" => p with { Exponent = [1] },
            "even exponent" => p with { Exponent = [1, 0, 0] },
            "even modulus" => p with { Modulus = [.. p.Modulus![..^1], (byte)(p.Modulus![^1] & 0xFE)] },
            "exponent above the modulus" => p with { Exponent = [0xFF, .. p.Modulus!] },
            "modulus zero" => p with { Modulus = [0] },
            "512-bit modulus" => Generate512(),
            "17,000-bit modulus" => p with { Modulus = [0x80, .. RandomNumberGenerator.GetBytes(17_000 / 8 - 2), 1] },
            "empty modulus" => p with { Modulus = [] },
            "empty exponent" => p with { Exponent = [] },
            "exponent zero" => p with { Exponent = [0] },
            "exponent 2^64 + 1" => p with { Exponent = [1, .. new byte[7], 1] },
            "exponent 2^256 + 1" => p with { Exponent = [1, .. new byte[31], 1] },
            "modulus 1" => p with { Modulus = [1] },
            "modulus 3" => p with { Modulus = [3] },
            "modulus 2^2047" => p with { Modulus = [0x80, .. new byte[255]] },
            "16,384-bit modulus" => p with { Modulus = [0x80, .. RandomNumberGenerator.GetBytes(2046), 1] },
            "16,385-bit modulus" => p with { Modulus = [1, .. RandomNumberGenerator.GetBytes(2047), 1] },
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };
        var message = "quoted"u8.ToArray();
        var modulusLength = parameters.Modulus!.Length;
        // a signature a key with exponent 1 would take: the PKCS#1 v1.5 encoding of the digest itself
        var encoded = Pkcs1Encoding(SHA256.HashData(message), Math.Max(modulusLength, 64));
        var candidates = (byte[][])[real.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), encoded, new byte[modulusLength], RandomNumberGenerator.GetBytes(modulusLength)];

        using var reference = TryImport(() => { var rsa = RSA.Create(); rsa.ImportParameters(parameters); return rsa; });
        using var direct = TryImport(() => OpenSslRsaKeys.ImportRsa(parameters));

        foreach (var signature in candidates)
        foreach (var padding in (RSASignaturePadding[])[RSASignaturePadding.Pkcs1, RSASignaturePadding.Pss])
        {
            var byReference = reference is not null && Verifies(reference, message, signature, HashAlgorithmName.SHA256, padding);
            var byDirect = direct is not null && Verifies(direct, message, signature, HashAlgorithmName.SHA256, padding);
            Assert.False(byDirect && !byReference, $"{how}: accepted a {padding} signature the platform import refuses");
        }
        // and what the platform refuses to import is refused at import, as a CryptographicException like the platform's
        Assert.Equal(reference is null, direct is null);
        if (reference is not null) Assert.Equal(reference.ExportSubjectPublicKeyInfo(), direct!.ExportSubjectPublicKeyInfo());
    }

    private static RSA Generate(int bits, int exponent)
    {
        if (exponent == 65537) return RSA.Create(bits);
        // .NET generates with 65537 only: BouncyCastle for the other exponents
        var generator = new Org.BouncyCastle.Crypto.Generators.RsaKeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.RsaKeyGenerationParameters(
            Org.BouncyCastle.Math.BigInteger.ValueOf(exponent), new Org.BouncyCastle.Security.SecureRandom(), bits, 20));
        var pair = generator.GenerateKeyPair();
        var rsa = RSA.Create();
        rsa.ImportParameters(Org.BouncyCastle.Security.DotNetUtilities.ToRSAParameters(
            (Org.BouncyCastle.Crypto.Parameters.RsaPrivateCrtKeyParameters)pair.Private));
        return rsa;
    }

    private static RSAParameters Generate512()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.RsaKeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.RsaKeyGenerationParameters(
            Org.BouncyCastle.Math.BigInteger.ValueOf(65537), new Org.BouncyCastle.Security.SecureRandom(), 512, 20));
        var key = (Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters)generator.GenerateKeyPair().Public;
        return new RSAParameters { Modulus = key.Modulus.ToByteArrayUnsigned(), Exponent = key.Exponent.ToByteArrayUnsigned() };
    }

    private static RSA? TryImport(Func<RSA> import)
    {
        try
        {
            return import();
        }
        catch (Exception e) when (e is CryptographicException or IndexOutOfRangeException)
        {
            // .NET's own import of an empty modulus or exponent fails with an IndexOutOfRangeException
            return null;
        }
    }

    /// <summary>A verification as TpmSignatures makes it: a key that cannot verify (an exception) verifies nothing.</summary>
    private static bool Verifies(RSA key, byte[] message, byte[] signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        try
        {
            return key.VerifyData(message, signature, hash, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>EMSA-PKCS1-v1_5 (RFC 8017 §9.2) of a SHA-256 digest at <paramref name="length"/> bytes.</summary>
    private static byte[] Pkcs1Encoding(byte[] digest, int length)
    {
        byte[] prefix = Convert.FromHexString("3031300d060960864801650304020105000420");
        var encoded = new byte[length];
        encoded[1] = 1;
        encoded.AsSpan(2, length - 3 - prefix.Length - digest.Length).Fill(0xFF);
        prefix.CopyTo(encoded, length - prefix.Length - digest.Length);
        digest.CopyTo(encoded, length - digest.Length);
        return encoded;
    }
}
