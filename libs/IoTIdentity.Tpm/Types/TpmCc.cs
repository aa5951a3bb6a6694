namespace IoTIdentity.Tpm.Types;

/// <summary>TPM_CC — Part 2, §6.5.2 (the commands IoTIdentity issues).</summary>
public enum TpmCc : uint
{
    /// <summary>TPM2_NV_UndefineSpace.</summary>
    NvUndefineSpace = 0x00000122,
    /// <summary>TPM2_EvictControl.</summary>
    EvictControl = 0x00000120,
    /// <summary>TPM2_NV_DefineSpace.</summary>
    NvDefineSpace = 0x0000012A,
    /// <summary>TPM2_CreatePrimary.</summary>
    CreatePrimary = 0x00000131,
    /// <summary>TPM2_NV_Write.</summary>
    NvWrite = 0x00000137,
    /// <summary>TPM2_Startup.</summary>
    Startup = 0x00000144,
    /// <summary>TPM2_Shutdown.</summary>
    Shutdown = 0x00000145,
    /// <summary>TPM2_ActivateCredential.</summary>
    ActivateCredential = 0x00000147,
    /// <summary>TPM2_Certify.</summary>
    Certify = 0x00000148,
    /// <summary>TPM2_NV_Read.</summary>
    NvRead = 0x0000014E,
    /// <summary>TPM2_PolicySecret.</summary>
    PolicySecret = 0x00000151,
    /// <summary>TPM2_Create.</summary>
    Create = 0x00000153,
    /// <summary>TPM2_Load.</summary>
    Load = 0x00000157,
    /// <summary>TPM2_Quote.</summary>
    Quote = 0x00000158,
    /// <summary>TPM2_Sign.</summary>
    Sign = 0x0000015D,
    /// <summary>TPM2_FlushContext.</summary>
    FlushContext = 0x00000165,
    /// <summary>TPM2_NV_ReadPublic.</summary>
    NvReadPublic = 0x00000169,
    /// <summary>TPM2_ReadPublic.</summary>
    ReadPublic = 0x00000173,
    /// <summary>TPM2_StartAuthSession.</summary>
    StartAuthSession = 0x00000176,
    /// <summary>TPM2_GetCapability.</summary>
    GetCapability = 0x0000017A,
    /// <summary>TPM2_GetRandom.</summary>
    GetRandom = 0x0000017B,
    /// <summary>TPM2_PCR_Read.</summary>
    PcrRead = 0x0000017E,
    /// <summary>TPM2_PolicyGetDigest.</summary>
    PolicyGetDigest = 0x00000189,
    /// <summary>TPM2_PCR_Extend.</summary>
    PcrExtend = 0x00000182,
}
