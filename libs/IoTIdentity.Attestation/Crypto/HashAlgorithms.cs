using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>The hash algorithms a TPM name algorithm can be, and their digest sizes.</summary>
internal static class HashAlgorithms
{
    /// <summary>The digest size in octets; throws for a hash the TPM code paths here do not use.</summary>
    public static int DigestSize(HashAlgorithmName hash)
    {
        if (hash == HashAlgorithmName.SHA256) return 32;
        if (hash == HashAlgorithmName.SHA384) return 48;
        if (hash == HashAlgorithmName.SHA512) return 64;
        if (hash == HashAlgorithmName.SHA1) return 20;
        throw new ArgumentException($"Hash algorithm '{hash.Name}' is not supported here.", nameof(hash));
    }

    /// <summary>The BouncyCastle digest for <paramref name="hash"/>, for the places .NET has no equivalent (labelled OAEP).</summary>
    public static IDigest CreateBouncyCastleDigest(HashAlgorithmName hash)
    {
        if (hash == HashAlgorithmName.SHA256) return new Sha256Digest();
        if (hash == HashAlgorithmName.SHA384) return new Sha384Digest();
        if (hash == HashAlgorithmName.SHA512) return new Sha512Digest();
        if (hash == HashAlgorithmName.SHA1) return new Sha1Digest();
        throw new ArgumentException($"Hash algorithm '{hash.Name}' is not supported here.", nameof(hash));
    }
}
