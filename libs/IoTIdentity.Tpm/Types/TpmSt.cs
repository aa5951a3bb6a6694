namespace IoTIdentity.Tpm.Types;

/// <summary>TPM_ST — Part 2, §6.9 (structure tags).</summary>
public enum TpmSt : ushort
{
    /// <summary>TPM_ST_RSP_COMMAND: a TPM 1.2-style error response.</summary>
    RspCommand = 0x00C4,
    /// <summary>TPM_ST_NULL.</summary>
    Null = 0x8000,
    /// <summary>TPM_ST_NO_SESSIONS.</summary>
    NoSessions = 0x8001,
    /// <summary>TPM_ST_SESSIONS.</summary>
    Sessions = 0x8002,
    /// <summary>TPM_ST_ATTEST_NV.</summary>
    AttestNv = 0x8014,
    /// <summary>TPM_ST_ATTEST_COMMAND_AUDIT.</summary>
    AttestCommandAudit = 0x8015,
    /// <summary>TPM_ST_ATTEST_SESSION_AUDIT.</summary>
    AttestSessionAudit = 0x8016,
    /// <summary>TPM_ST_ATTEST_CERTIFY.</summary>
    AttestCertify = 0x8017,
    /// <summary>TPM_ST_ATTEST_QUOTE.</summary>
    AttestQuote = 0x8018,
    /// <summary>TPM_ST_ATTEST_TIME.</summary>
    AttestTime = 0x8019,
    /// <summary>TPM_ST_ATTEST_CREATION.</summary>
    AttestCreation = 0x801A,
    /// <summary>TPM_ST_CREATION.</summary>
    Creation = 0x8021,
    /// <summary>TPM_ST_VERIFIED.</summary>
    Verified = 0x8022,
    /// <summary>TPM_ST_AUTH_SECRET.</summary>
    AuthSecret = 0x8023,
    /// <summary>TPM_ST_HASHCHECK.</summary>
    HashCheck = 0x8024,
    /// <summary>TPM_ST_AUTH_SIGNED.</summary>
    AuthSigned = 0x8025,
}

/// <summary>TPM_SU — Part 2, §6.8.</summary>
public enum TpmSu : ushort
{
    /// <summary>TPM_SU_CLEAR.</summary>
    Clear = 0x0000,
    /// <summary>TPM_SU_STATE.</summary>
    State = 0x0001,
}

/// <summary>TPM_SE — Part 2, §6.11 (session types).</summary>
public enum TpmSe : byte
{
    /// <summary>TPM_SE_HMAC.</summary>
    Hmac = 0x00,
    /// <summary>TPM_SE_POLICY.</summary>
    Policy = 0x01,
    /// <summary>TPM_SE_TRIAL.</summary>
    Trial = 0x03,
}

/// <summary>TPM_CAP — Part 2, §6.12.</summary>
public enum TpmCap : uint
{
    /// <summary>TPM_CAP_ALGS.</summary>
    Algs = 0x00000000,
    /// <summary>TPM_CAP_HANDLES.</summary>
    Handles = 0x00000001,
    /// <summary>TPM_CAP_COMMANDS.</summary>
    Commands = 0x00000002,
    /// <summary>TPM_CAP_PCRS.</summary>
    Pcrs = 0x00000005,
    /// <summary>TPM_CAP_TPM_PROPERTIES.</summary>
    TpmProperties = 0x00000006,
    /// <summary>TPM_CAP_ECC_CURVES.</summary>
    EccCurves = 0x00000008,
}

/// <summary>TPM_ECC_CURVE — Part 2, §6.4.</summary>
public enum TpmEccCurve : ushort
{
    /// <summary>TPM_ECC_NONE.</summary>
    None = 0x0000,
    /// <summary>TPM_ECC_NIST_P256.</summary>
    NistP256 = 0x0003,
    /// <summary>TPM_ECC_NIST_P384.</summary>
    NistP384 = 0x0004,
    /// <summary>TPM_ECC_NIST_P521.</summary>
    NistP521 = 0x0005,
}

/// <summary>Well-known values that are not enumerations.</summary>
public static class TpmConstants
{
    /// <summary>TPM_GENERATED_VALUE — Part 2, §6.2: the magic at the start of every TPMS_ATTEST.</summary>
    public const uint Generated = 0xFF544347;

    /// <summary>TPM_PT_MANUFACTURER — Part 2, §6.13.</summary>
    public const uint PtManufacturer = 0x00000105;

    /// <summary>TPM_PT_NV_BUFFER_MAX — the largest NV_Read/NV_Write chunk.</summary>
    public const uint PtNvBufferMax = 0x0000012C;

    /// <summary>TPM_PT_MAX_RESPONSE_SIZE.</summary>
    public const uint PtMaxResponseSize = 0x0000011F;

    /// <summary>TPM_PT_FIRMWARE_VERSION_1.</summary>
    public const uint PtFirmwareVersion1 = 0x0000010B;

    /// <summary>The largest command or response IoTIdentity accepts from a transport.</summary>
    public const int MaxResponseSize = 8192;
}
