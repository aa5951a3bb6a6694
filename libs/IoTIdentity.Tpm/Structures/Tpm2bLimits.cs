namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// Maximum sizes of the TPM2B buffers, from the sizeof() expressions of Part 2 evaluated for the algorithms this
/// library supports (SHA-1..SHA-512, RSA up to 4096, ECC up to P-521). A larger size field is a format error.
/// </summary>
public static class Tpm2bLimits
{
    /// <summary>TPM2B_DIGEST, TPM2B_NONCE, TPM2B_AUTH — Part 2, §10.4.2: sizeof(TPMU_HA).</summary>
    public const int Digest = 64;
    /// <summary>TPM2B_DATA — Part 2, §10.4.3: sizeof(TPMT_HA).</summary>
    public const int Data = 66;
    /// <summary>TPM2B_NAME — Part 2, §10.5.3: sizeof(TPMU_NAME).</summary>
    public const int Name = 66;
    /// <summary>TPM2B_PUBLIC_KEY_RSA — Part 2, §11.2.4.5: MAX_RSA_KEY_BYTES.</summary>
    public const int RsaKey = 512;
    /// <summary>TPM2B_ECC_PARAMETER — Part 2, §11.2.5.1: MAX_ECC_KEY_BYTES.</summary>
    public const int EccParameter = 66;
    /// <summary>TPM2B_ENCRYPTED_SECRET — Part 2, §11.4.33: sizeof(TPMU_ENCRYPTED_SECRET).</summary>
    public const int EncryptedSecret = 512;
    /// <summary>TPM2B_ID_OBJECT — Part 2, §12.4.3: sizeof(TPMS_ID_OBJECT).</summary>
    public const int IdObject = 2 + Digest + 2 + Digest;
    /// <summary>TPM2B_PRIVATE — Part 2, §12.3.7: sizeof(_PRIVATE), bounded generously.</summary>
    public const int Private = 2048;
    /// <summary>TPM2B_SENSITIVE_DATA — Part 2, §11.1.14: MAX_SYM_DATA.</summary>
    public const int SensitiveData = 256;
    /// <summary>TPM2B_MAX_NV_BUFFER — Part 2, §10.4.9: MAX_NV_BUFFER_SIZE, bounded generously.</summary>
    public const int MaxNvBuffer = 2048;
    /// <summary>TPM2B_MAX_BUFFER — Part 2, §10.4.8: MAX_DIGEST_BUFFER, bounded generously.</summary>
    public const int MaxBuffer = 2048;
    /// <summary>TPM2B_TIMEOUT — Part 2, §10.4.10.</summary>
    public const int Timeout = 8;
    /// <summary>TPMS_PCR_SELECTION.sizeofSelect — Part 2, §10.6.2: PCR_SELECT_MAX, bounded at 8 (64 PCRs).</summary>
    public const int PcrSelect = 8;
    /// <summary>List counts (TPML_*): HASH_COUNT and friends, bounded.</summary>
    public const int ListCount = 64;
    /// <summary>TPML_DIGEST — Part 2, §10.9.3: at most 8 digests.</summary>
    public const int DigestList = 8;
}
