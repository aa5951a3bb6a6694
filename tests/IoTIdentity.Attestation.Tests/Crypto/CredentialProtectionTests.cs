using System.Security.Cryptography;
using IoTIdentity.Attestation.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;

namespace IoTIdentity.Attestation.Tests.Crypto;

public sealed class CredentialProtectionTests
{
    private static readonly byte[] AkName = [0x00, 0x0b, .. RandomNumberGenerator.GetBytes(32)];

    [Theory]
    [InlineData("SHA256", 128, 32)]
    [InlineData("SHA256", 128, 16)]
    [InlineData("SHA384", 256, 48)]
    [InlineData("SHA256", 128, 0)]
    public void Credential_blob_wrap_then_unwrap_gives_back_the_credential(string hash, int symBits, int credentialBytes)
    {
        var nameAlg = new HashAlgorithmName(hash);
        byte[] seed = RandomNumberGenerator.GetBytes(32), credential = RandomNumberGenerator.GetBytes(credentialBytes);

        byte[] idObject = CredentialProtection.Wrap(nameAlg, symBits, seed, AkName, credential);

        Assert.Equal(credential, CredentialProtection.Unwrap(nameAlg, symBits, seed, AkName, idObject));
    }

    [Fact]
    public void Credential_blob_matches_the_spec_construction_computed_with_BouncyCastle()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32), credential = RandomNumberGenerator.GetBytes(32);

        byte[] idObject = CredentialProtection.Wrap(HashAlgorithmName.SHA256, 128, seed, AkName, credential);

        byte[] symKey = Kdf.KDFa(HashAlgorithmName.SHA256, seed, "STORAGE", AkName, [], 128);
        var cfb = new CfbBlockCipher(new AesEngine(), 128);
        cfb.Init(true, new ParametersWithIV(new KeyParameter(symKey), new byte[16]));
        byte[] plain = [0x00, 0x20, .. credential], encIdentity = new byte[plain.Length];
        for (int offset = 0; offset < plain.Length; offset += 16)
        {
            byte[] block = new byte[16], output = new byte[16];
            Array.Copy(plain, offset, block, 0, Math.Min(16, plain.Length - offset));
            cfb.ProcessBlock(block, 0, output, 0);
            Array.Copy(output, 0, encIdentity, offset, Math.Min(16, plain.Length - offset));
        }
        var hmac = new HMac(new Sha256Digest());
        hmac.Init(new KeyParameter(Kdf.KDFa(HashAlgorithmName.SHA256, seed, "INTEGRITY", [], [], 256)));
        hmac.BlockUpdate(encIdentity, 0, encIdentity.Length);
        hmac.BlockUpdate(AkName, 0, AkName.Length);
        byte[] outerHmac = new byte[32];
        hmac.DoFinal(outerHmac, 0);
        byte[] expected = [0x00, 0x44, 0x00, 0x20, .. outerHmac, .. encIdentity];

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(idObject));
    }

    [Fact]
    public void Credential_blob_bound_to_another_name_does_not_unwrap()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        byte[] idObject = CredentialProtection.Wrap(HashAlgorithmName.SHA256, 128, seed, AkName, RandomNumberGenerator.GetBytes(32));
        byte[] otherName = [0x00, 0x0b, .. RandomNumberGenerator.GetBytes(32)];

        Assert.Null(CredentialProtection.Unwrap(HashAlgorithmName.SHA256, 128, seed, otherName, idObject));
    }

    [Fact]
    public void Credential_blob_that_was_altered_or_truncated_does_not_unwrap()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        byte[] idObject = CredentialProtection.Wrap(HashAlgorithmName.SHA256, 128, seed, AkName, RandomNumberGenerator.GetBytes(32));
        byte[] altered = (byte[])idObject.Clone();
        altered[^1] ^= 1;

        Assert.Null(CredentialProtection.Unwrap(HashAlgorithmName.SHA256, 128, seed, AkName, altered));
        Assert.Null(CredentialProtection.Unwrap(HashAlgorithmName.SHA256, 128, seed, AkName, idObject.AsSpan(0, 10)));
        Assert.Null(CredentialProtection.Unwrap(HashAlgorithmName.SHA256, 128, seed, AkName, [0x00, 0x02, 0xFF, 0xFF]));
    }

    [Fact]
    public void Credential_larger_than_the_name_algorithm_digest_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CredentialProtection.Wrap(
            HashAlgorithmName.SHA256, 128, new byte[32], AkName, new byte[33]));
    }
}
