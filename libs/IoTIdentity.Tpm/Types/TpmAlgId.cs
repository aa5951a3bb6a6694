namespace IoTIdentity.Tpm.Types;

/// <summary>TPM_ALG_ID — Part 2, §6.3 (the subset IoTIdentity uses).</summary>
public enum TpmAlgId : ushort
{
    /// <summary>TPM_ALG_ERROR.</summary>
    Error = 0x0000,
    /// <summary>TPM_ALG_RSA.</summary>
    Rsa = 0x0001,
    /// <summary>TPM_ALG_SHA1.</summary>
    Sha1 = 0x0004,
    /// <summary>TPM_ALG_HMAC.</summary>
    Hmac = 0x0005,
    /// <summary>TPM_ALG_AES.</summary>
    Aes = 0x0006,
    /// <summary>TPM_ALG_KEYEDHASH.</summary>
    KeyedHash = 0x0008,
    /// <summary>TPM_ALG_XOR.</summary>
    Xor = 0x000A,
    /// <summary>TPM_ALG_SHA256.</summary>
    Sha256 = 0x000B,
    /// <summary>TPM_ALG_SHA384.</summary>
    Sha384 = 0x000C,
    /// <summary>TPM_ALG_SHA512.</summary>
    Sha512 = 0x000D,
    /// <summary>TPM_ALG_NULL.</summary>
    Null = 0x0010,
    /// <summary>TPM_ALG_RSASSA.</summary>
    RsaSsa = 0x0014,
    /// <summary>TPM_ALG_RSAES.</summary>
    RsaEs = 0x0015,
    /// <summary>TPM_ALG_RSAPSS.</summary>
    RsaPss = 0x0016,
    /// <summary>TPM_ALG_OAEP.</summary>
    Oaep = 0x0017,
    /// <summary>TPM_ALG_ECDSA.</summary>
    EcDsa = 0x0018,
    /// <summary>TPM_ALG_ECDH.</summary>
    EcDh = 0x0019,
    /// <summary>TPM_ALG_ECDAA.</summary>
    EcDaa = 0x001A,
    /// <summary>TPM_ALG_ECSCHNORR.</summary>
    EcSchnorr = 0x001C,
    /// <summary>TPM_ALG_KDF1_SP800_56A.</summary>
    Kdf1Sp800_56A = 0x0020,
    /// <summary>TPM_ALG_KDF1_SP800_108.</summary>
    Kdf1Sp800_108 = 0x0022,
    /// <summary>TPM_ALG_ECC.</summary>
    Ecc = 0x0023,
    /// <summary>TPM_ALG_SYMCIPHER.</summary>
    SymCipher = 0x0025,
    /// <summary>TPM_ALG_CTR.</summary>
    Ctr = 0x0040,
    /// <summary>TPM_ALG_OFB.</summary>
    Ofb = 0x0041,
    /// <summary>TPM_ALG_CBC.</summary>
    Cbc = 0x0042,
    /// <summary>TPM_ALG_CFB.</summary>
    Cfb = 0x0043,
    /// <summary>TPM_ALG_ECB.</summary>
    Ecb = 0x0044,
}

/// <summary>Digest sizes and .NET names for the hash algorithms of <see cref="TpmAlgId"/>.</summary>
public static class TpmHash
{
    /// <summary>The largest digest any supported hash produces (sizeof(TPMU_HA)).</summary>
    public const int MaxDigestSize = 64;

    /// <summary>Whether <paramref name="alg"/> is a hash this library implements.</summary>
    public static bool IsHash(TpmAlgId alg) => alg is TpmAlgId.Sha1 or TpmAlgId.Sha256 or TpmAlgId.Sha384 or TpmAlgId.Sha512;

    /// <summary>Digest size in bytes; throws <see cref="TpmFormatException"/> for a non-hash.</summary>
    public static int DigestSize(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => 20,
        TpmAlgId.Sha256 => 32,
        TpmAlgId.Sha384 => 48,
        TpmAlgId.Sha512 => 64,
        _ => throw new TpmFormatException($"{alg} is not a supported hash algorithm"),
    };

    /// <summary>The matching <see cref="System.Security.Cryptography.HashAlgorithmName"/>.</summary>
    public static System.Security.Cryptography.HashAlgorithmName Name(TpmAlgId alg) => alg switch
    {
        TpmAlgId.Sha1 => System.Security.Cryptography.HashAlgorithmName.SHA1,
        TpmAlgId.Sha256 => System.Security.Cryptography.HashAlgorithmName.SHA256,
        TpmAlgId.Sha384 => System.Security.Cryptography.HashAlgorithmName.SHA384,
        TpmAlgId.Sha512 => System.Security.Cryptography.HashAlgorithmName.SHA512,
        _ => throw new TpmFormatException($"{alg} is not a supported hash algorithm"),
    };

    /// <summary>Hashes <paramref name="data"/> with <paramref name="alg"/>.</summary>
    public static byte[] Hash(TpmAlgId alg, ReadOnlySpan<byte> data) => alg switch
    {
        TpmAlgId.Sha1 => System.Security.Cryptography.SHA1.HashData(data),
        TpmAlgId.Sha256 => System.Security.Cryptography.SHA256.HashData(data),
        TpmAlgId.Sha384 => System.Security.Cryptography.SHA384.HashData(data),
        TpmAlgId.Sha512 => System.Security.Cryptography.SHA512.HashData(data),
        _ => throw new TpmFormatException($"{alg} is not a supported hash algorithm"),
    };
}
