namespace IoTIdentity.Tpm.Types;

/// <summary>
/// TPM_RC — Part 2, §6.6.3: the canonical response codes, i.e. the value of a response code with its
/// handle/parameter/session number stripped (see <see cref="TpmResponseCode.Code"/>). Format-zero codes carry
/// RC_VER1 (0x100) and, for warnings, RC_WARN (0x900); format-one codes carry RC_FMT1 (0x080). Values not in
/// this table (vendor codes, TPM 1.2 codes, codes from later spec revisions) still decode, as a raw number.
/// </summary>
public enum TpmRc : uint
{
    /// <summary>TPM_RC_SUCCESS.</summary>
    Success = 0x000,
    /// <summary>TPM_RC_BAD_TAG: the command's tag is not a TPM 2.0 tag (the answer to a TPM 1.2 command).</summary>
    BadTag = 0x01E,

    // Format-zero errors: RC_VER1 + n (Part 2, §6.6.3).
    /// <summary>TPM_RC_INITIALIZE: TPM not initialized by TPM2_Startup or already initialized.</summary>
    Initialize = 0x100,
    /// <summary>TPM_RC_FAILURE: the TPM is in failure mode.</summary>
    Failure = 0x101,
    /// <summary>TPM_RC_SEQUENCE: improper use of a sequence handle.</summary>
    Sequence = 0x103,
    /// <summary>TPM_RC_PRIVATE: not currently used.</summary>
    Private = 0x10B,
    /// <summary>TPM_RC_HMAC: not currently used.</summary>
    Hmac = 0x119,
    /// <summary>TPM_RC_DISABLED: the command is disabled.</summary>
    Disabled = 0x120,
    /// <summary>TPM_RC_EXCLUSIVE: command failed because audit sequence required exclusivity.</summary>
    Exclusive = 0x121,
    /// <summary>TPM_RC_AUTH_TYPE: authorization handle is not correct for the command.</summary>
    AuthType = 0x124,
    /// <summary>TPM_RC_AUTH_MISSING: the command requires an authorization session for a handle and none is present.</summary>
    AuthMissing = 0x125,
    /// <summary>TPM_RC_POLICY: policy failure in math operation or an invalid authPolicy value.</summary>
    Policy = 0x126,
    /// <summary>TPM_RC_PCR: PCR check fail.</summary>
    Pcr = 0x127,
    /// <summary>TPM_RC_PCR_CHANGED: PCR have changed since checked.</summary>
    PcrChanged = 0x128,
    /// <summary>TPM_RC_UPGRADE: the TPM is in field upgrade mode.</summary>
    Upgrade = 0x12D,
    /// <summary>TPM_RC_TOO_MANY_CONTEXTS: context ID counter is at maximum.</summary>
    TooManyContexts = 0x12E,
    /// <summary>TPM_RC_AUTH_UNAVAILABLE: authValue or authPolicy is not available for the selected entity.</summary>
    AuthUnavailable = 0x12F,
    /// <summary>TPM_RC_REBOOT: a _TPM_Init and Startup(CLEAR) is required before the TPM can resume operation.</summary>
    Reboot = 0x130,
    /// <summary>TPM_RC_UNBALANCED: the protection algorithms (hash and symmetric) are not reasonably balanced.</summary>
    Unbalanced = 0x131,
    /// <summary>TPM_RC_COMMAND_SIZE: commandSize is inconsistent with the command's contents.</summary>
    CommandSize = 0x142,
    /// <summary>TPM_RC_COMMAND_CODE: command code not supported.</summary>
    CommandCode = 0x143,
    /// <summary>TPM_RC_AUTHSIZE: the value of authorizationSize is out of range.</summary>
    Authsize = 0x144,
    /// <summary>TPM_RC_AUTH_CONTEXT: use of an authorization session with a context command.</summary>
    AuthContext = 0x145,
    /// <summary>TPM_RC_NV_RANGE: NV offset+size is out of range.</summary>
    NvRange = 0x146,
    /// <summary>TPM_RC_NV_SIZE: requested allocation size is larger than allowed.</summary>
    NvSize = 0x147,
    /// <summary>TPM_RC_NV_LOCKED: NV access locked.</summary>
    NvLocked = 0x148,
    /// <summary>TPM_RC_NV_AUTHORIZATION: NV access authorization fails in command actions.</summary>
    NvAuthorization = 0x149,
    /// <summary>TPM_RC_NV_UNINITIALIZED: an NV index is used before being initialized.</summary>
    NvUninitialized = 0x14A,
    /// <summary>TPM_RC_NV_SPACE: insufficient space for NV allocation.</summary>
    NvSpace = 0x14B,
    /// <summary>TPM_RC_NV_DEFINED: NV index or persistent object already defined.</summary>
    NvDefined = 0x14C,
    /// <summary>TPM_RC_BAD_CONTEXT: context in TPM2_ContextLoad is not valid.</summary>
    BadContext = 0x150,
    /// <summary>TPM_RC_CPHASH: cpHash value already set or not correct for use.</summary>
    Cphash = 0x151,
    /// <summary>TPM_RC_PARENT: handle for parent is not a valid parent.</summary>
    Parent = 0x152,
    /// <summary>TPM_RC_NEEDS_TEST: some function needs testing.</summary>
    NeedsTest = 0x153,
    /// <summary>TPM_RC_NO_RESULT: internal function cannot process a request due to an unspecified problem.</summary>
    NoResult = 0x154,
    /// <summary>TPM_RC_SENSITIVE: the sensitive area did not unmarshal correctly after decryption.</summary>
    Sensitive = 0x155,

    // Format-one errors: RC_FMT1 + n (Part 2, §6.6.3).
    /// <summary>TPM_RC_ASYMMETRIC: asymmetric algorithm not supported or not correct.</summary>
    Asymmetric = 0x081,
    /// <summary>TPM_RC_ATTRIBUTES: inconsistent attributes.</summary>
    Attributes = 0x082,
    /// <summary>TPM_RC_HASH: hash algorithm not supported or not appropriate.</summary>
    Hash = 0x083,
    /// <summary>TPM_RC_VALUE: value is out of range or is not correct for the context.</summary>
    Value = 0x084,
    /// <summary>TPM_RC_HIERARCHY: hierarchy is not enabled or is not correct for the use.</summary>
    Hierarchy = 0x085,
    /// <summary>TPM_RC_KEY_SIZE: key size is not supported.</summary>
    KeySize = 0x087,
    /// <summary>TPM_RC_MGF: mask generation function not supported.</summary>
    Mgf = 0x088,
    /// <summary>TPM_RC_MODE: mode of operation not supported.</summary>
    Mode = 0x089,
    /// <summary>TPM_RC_TYPE: the type of the value is not appropriate for the use.</summary>
    Type = 0x08A,
    /// <summary>TPM_RC_HANDLE: the handle is not correct for the use.</summary>
    Handle = 0x08B,
    /// <summary>TPM_RC_KDF: unsupported key derivation function or function not appropriate for use.</summary>
    Kdf = 0x08C,
    /// <summary>TPM_RC_RANGE: value was out of allowed range.</summary>
    Range = 0x08D,
    /// <summary>TPM_RC_AUTH_FAIL: the authorization HMAC check failed and DA counter incremented.</summary>
    AuthFail = 0x08E,
    /// <summary>TPM_RC_NONCE: invalid nonce size or nonce value mismatch.</summary>
    Nonce = 0x08F,
    /// <summary>TPM_RC_PP: authorization requires assertion of physical presence.</summary>
    Pp = 0x090,
    /// <summary>TPM_RC_SCHEME: unsupported or incompatible scheme.</summary>
    Scheme = 0x092,
    /// <summary>TPM_RC_SIZE: structure is the wrong size.</summary>
    Size = 0x095,
    /// <summary>TPM_RC_SYMMETRIC: unsupported symmetric algorithm or key size, or not appropriate for instance.</summary>
    Symmetric = 0x096,
    /// <summary>TPM_RC_TAG: incorrect structure tag.</summary>
    Tag = 0x097,
    /// <summary>TPM_RC_SELECTOR: union selector is incorrect.</summary>
    Selector = 0x098,
    /// <summary>TPM_RC_INSUFFICIENT: the TPM was unable to unmarshal a value because there were not enough octets.</summary>
    Insufficient = 0x09A,
    /// <summary>TPM_RC_SIGNATURE: the signature is not valid.</summary>
    Signature = 0x09B,
    /// <summary>TPM_RC_KEY: key fields are not compatible with the selected use.</summary>
    Key = 0x09C,
    /// <summary>TPM_RC_POLICY_FAIL: a policy check failed.</summary>
    PolicyFail = 0x09D,
    /// <summary>TPM_RC_INTEGRITY: integrity check failed.</summary>
    Integrity = 0x09F,
    /// <summary>TPM_RC_TICKET: invalid ticket.</summary>
    Ticket = 0x0A0,
    /// <summary>TPM_RC_RESERVED_BITS: reserved bits not set to zero as required.</summary>
    ReservedBits = 0x0A1,
    /// <summary>TPM_RC_BAD_AUTH: authorization failure without DA implications.</summary>
    BadAuth = 0x0A2,
    /// <summary>TPM_RC_EXPIRED: the policy has expired.</summary>
    Expired = 0x0A3,
    /// <summary>TPM_RC_POLICY_CC: the commandCode in the policy is not the commandCode of the command.</summary>
    PolicyCc = 0x0A4,
    /// <summary>TPM_RC_BINDING: public and sensitive portions of an object are not cryptographically bound.</summary>
    Binding = 0x0A5,
    /// <summary>TPM_RC_CURVE: curve not supported.</summary>
    Curve = 0x0A6,
    /// <summary>TPM_RC_ECC_POINT: point is not on the required curve.</summary>
    EccPoint = 0x0A7,
    /// <summary>TPM_RC_FW_LIMITED: the hierarchy is firmware-limited but the firmware secret is unavailable (Library 1.83).</summary>
    FwLimited = 0x0A8,
    /// <summary>TPM_RC_SVN_LIMITED: the hierarchy is SVN-limited but the firmware SVN secret is unavailable (Library 1.83).</summary>
    SvnLimited = 0x0A9,

    // Warnings: RC_WARN + n (Part 2, §6.6.3).
    /// <summary>TPM_RC_CONTEXT_GAP: gap for context ID is too large.</summary>
    ContextGap = 0x901,
    /// <summary>TPM_RC_OBJECT_MEMORY: out of memory for object contexts.</summary>
    ObjectMemory = 0x902,
    /// <summary>TPM_RC_SESSION_MEMORY: out of memory for session contexts.</summary>
    SessionMemory = 0x903,
    /// <summary>TPM_RC_MEMORY: out of shared object/session memory or need space for internal operations.</summary>
    Memory = 0x904,
    /// <summary>TPM_RC_SESSION_HANDLES: out of session handles; a session must be flushed.</summary>
    SessionHandles = 0x905,
    /// <summary>TPM_RC_OBJECT_HANDLES: out of object handles; an object must be flushed.</summary>
    ObjectHandles = 0x906,
    /// <summary>TPM_RC_LOCALITY: bad locality.</summary>
    Locality = 0x907,
    /// <summary>TPM_RC_YIELDED: the TPM has suspended operation on the command; retry it.</summary>
    Yielded = 0x908,
    /// <summary>TPM_RC_CANCELED: the command was canceled.</summary>
    Canceled = 0x909,
    /// <summary>TPM_RC_TESTING: TPM is performing self-tests.</summary>
    Testing = 0x90A,
    /// <summary>TPM_RC_REFERENCE_H0: the 1st handle in the handle area references a transient object or session that is not loaded.</summary>
    ReferenceH0 = 0x910,
    /// <summary>TPM_RC_REFERENCE_H1: the 2nd handle references a transient object or session that is not loaded.</summary>
    ReferenceH1 = 0x911,
    /// <summary>TPM_RC_REFERENCE_H2: the 3rd handle references a transient object or session that is not loaded.</summary>
    ReferenceH2 = 0x912,
    /// <summary>TPM_RC_REFERENCE_H3: the 4th handle references a transient object or session that is not loaded.</summary>
    ReferenceH3 = 0x913,
    /// <summary>TPM_RC_REFERENCE_H4: the 5th handle references a transient object or session that is not loaded.</summary>
    ReferenceH4 = 0x914,
    /// <summary>TPM_RC_REFERENCE_H5: the 6th handle references a transient object or session that is not loaded.</summary>
    ReferenceH5 = 0x915,
    /// <summary>TPM_RC_REFERENCE_H6: the 7th handle references a transient object or session that is not loaded.</summary>
    ReferenceH6 = 0x916,
    /// <summary>TPM_RC_REFERENCE_S0: the 1st authorization session handle references a session that is not loaded.</summary>
    ReferenceS0 = 0x918,
    /// <summary>TPM_RC_REFERENCE_S1: the 2nd authorization session handle references a session that is not loaded.</summary>
    ReferenceS1 = 0x919,
    /// <summary>TPM_RC_REFERENCE_S2: the 3rd authorization session handle references a session that is not loaded.</summary>
    ReferenceS2 = 0x91A,
    /// <summary>TPM_RC_REFERENCE_S3: the 4th authorization session handle references a session that is not loaded.</summary>
    ReferenceS3 = 0x91B,
    /// <summary>TPM_RC_REFERENCE_S4: the 5th authorization session handle references a session that is not loaded.</summary>
    ReferenceS4 = 0x91C,
    /// <summary>TPM_RC_REFERENCE_S5: the 6th authorization session handle references a session that is not loaded.</summary>
    ReferenceS5 = 0x91D,
    /// <summary>TPM_RC_REFERENCE_S6: the 7th authorization session handle references a session that is not loaded.</summary>
    ReferenceS6 = 0x91E,
    /// <summary>TPM_RC_NV_RATE: the TPM is rate-limiting accesses to prevent wearout of NV.</summary>
    NvRate = 0x920,
    /// <summary>TPM_RC_LOCKOUT: authorizations for objects subject to DA protection are not allowed (DA lockout mode).</summary>
    Lockout = 0x921,
    /// <summary>TPM_RC_RETRY: the TPM was not able to start the command; retry it.</summary>
    Retry = 0x922,
    /// <summary>TPM_RC_NV_UNAVAILABLE: the command may require writing of NV and NV is not currently accessible.</summary>
    NvUnavailable = 0x923,
    /// <summary>TPM_RC_NOT_USED: this value is reserved and shall not be returned by the TPM.</summary>
    NotUsed = 0x97F,
}
