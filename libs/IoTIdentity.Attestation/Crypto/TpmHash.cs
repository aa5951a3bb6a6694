using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Crypto;

/// <summary>The hash algorithms a TPM name algorithm can be, and their digest sizes.</summary>
internal static class TpmHash
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
}
