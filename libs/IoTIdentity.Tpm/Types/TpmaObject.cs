namespace IoTIdentity.Tpm.Types;

/// <summary>TPMA_OBJECT — Part 2, §8.3 (object attributes).</summary>
[Flags]
public enum TpmaObject : uint
{
    /// <summary>No attributes.</summary>
    None = 0,
    /// <summary>fixedTPM: the object cannot be duplicated off this TPM.</summary>
    FixedTpm = 1u << 1,
    /// <summary>stClear.</summary>
    StClear = 1u << 2,
    /// <summary>fixedParent: the object cannot be re-parented.</summary>
    FixedParent = 1u << 4,
    /// <summary>sensitiveDataOrigin: the TPM generated the secret.</summary>
    SensitiveDataOrigin = 1u << 5,
    /// <summary>userWithAuth.</summary>
    UserWithAuth = 1u << 6,
    /// <summary>adminWithPolicy.</summary>
    AdminWithPolicy = 1u << 7,
    /// <summary>noDA.</summary>
    NoDa = 1u << 10,
    /// <summary>encryptedDuplication.</summary>
    EncryptedDuplication = 1u << 11,
    /// <summary>restricted.</summary>
    Restricted = 1u << 16,
    /// <summary>decrypt.</summary>
    Decrypt = 1u << 17,
    /// <summary>sign / encrypt.</summary>
    SignEncrypt = 1u << 18,
    /// <summary>x509sign.</summary>
    X509Sign = 1u << 19,
}

/// <summary>TPMA_SESSION — Part 2, §8.4.</summary>
[Flags]
public enum TpmaSession : byte
{
    /// <summary>No attributes.</summary>
    None = 0,
    /// <summary>continueSession.</summary>
    ContinueSession = 1 << 0,
    /// <summary>auditExclusive.</summary>
    AuditExclusive = 1 << 1,
    /// <summary>auditReset.</summary>
    AuditReset = 1 << 2,
    /// <summary>decrypt.</summary>
    Decrypt = 1 << 5,
    /// <summary>encrypt.</summary>
    Encrypt = 1 << 6,
    /// <summary>audit.</summary>
    Audit = 1 << 7,
}

/// <summary>TPMA_NV — Part 2, §13.4.</summary>
[Flags]
public enum TpmaNv : uint
{
    /// <summary>No attributes.</summary>
    None = 0,
    /// <summary>TPMA_NV_PPWRITE.</summary>
    PpWrite = 1u << 0,
    /// <summary>TPMA_NV_OWNERWRITE.</summary>
    OwnerWrite = 1u << 1,
    /// <summary>TPMA_NV_AUTHWRITE.</summary>
    AuthWrite = 1u << 2,
    /// <summary>TPMA_NV_POLICYWRITE.</summary>
    PolicyWrite = 1u << 3,
    /// <summary>TPMA_NV_POLICY_DELETE.</summary>
    PolicyDelete = 1u << 10,
    /// <summary>TPMA_NV_WRITELOCKED.</summary>
    WriteLocked = 1u << 11,
    /// <summary>TPMA_NV_WRITEALL.</summary>
    WriteAll = 1u << 12,
    /// <summary>TPMA_NV_WRITEDEFINE.</summary>
    WriteDefine = 1u << 13,
    /// <summary>TPMA_NV_WRITE_STCLEAR.</summary>
    WriteStClear = 1u << 14,
    /// <summary>TPMA_NV_GLOBALLOCK.</summary>
    GlobalLock = 1u << 15,
    /// <summary>TPMA_NV_PPREAD.</summary>
    PpRead = 1u << 16,
    /// <summary>TPMA_NV_OWNERREAD.</summary>
    OwnerRead = 1u << 17,
    /// <summary>TPMA_NV_AUTHREAD.</summary>
    AuthRead = 1u << 18,
    /// <summary>TPMA_NV_POLICYREAD.</summary>
    PolicyRead = 1u << 19,
    /// <summary>TPMA_NV_NO_DA.</summary>
    NoDa = 1u << 25,
    /// <summary>TPMA_NV_ORDERLY.</summary>
    Orderly = 1u << 26,
    /// <summary>TPMA_NV_CLEAR_STCLEAR.</summary>
    ClearStClear = 1u << 27,
    /// <summary>TPMA_NV_READLOCKED.</summary>
    ReadLocked = 1u << 28,
    /// <summary>TPMA_NV_WRITTEN.</summary>
    Written = 1u << 29,
    /// <summary>TPMA_NV_PLATFORMCREATE.</summary>
    PlatformCreate = 1u << 30,
    /// <summary>TPMA_NV_READ_STCLEAR.</summary>
    ReadStClear = 1u << 31,
}
