namespace IoTIdentity.Tpm.Types;

/// <summary>TPM_RH and TPM_HT values — Part 2, §7 (reserved handles and handle ranges).</summary>
public static class TpmHandles
{
    /// <summary>TPM_RH_OWNER: the storage hierarchy.</summary>
    public const uint Owner = 0x40000001;
    /// <summary>TPM_RH_NULL.</summary>
    public const uint Null = 0x40000007;
    /// <summary>TPM_RS_PW: the password authorization session.</summary>
    public const uint Password = 0x40000009;
    /// <summary>TPM_RH_LOCKOUT.</summary>
    public const uint Lockout = 0x4000000A;
    /// <summary>TPM_RH_ENDORSEMENT.</summary>
    public const uint Endorsement = 0x4000000B;
    /// <summary>TPM_RH_PLATFORM.</summary>
    public const uint Platform = 0x4000000C;

    /// <summary>First persistent handle in the owner range (TPM_HT_PERSISTENT).</summary>
    public const uint PersistentFirst = 0x81000000;

    /// <summary>The handle type (most significant octet, TPM_HT — Part 2, §7.2).</summary>
    public static byte TypeOf(uint handle) => (byte)(handle >> 24);

    /// <summary>TPM_HT_NV_INDEX.</summary>
    public const byte TypeNvIndex = 0x01;
    /// <summary>TPM_HT_HMAC_SESSION.</summary>
    public const byte TypeHmacSession = 0x02;
    /// <summary>TPM_HT_POLICY_SESSION.</summary>
    public const byte TypePolicySession = 0x03;
    /// <summary>TPM_HT_TRANSIENT.</summary>
    public const byte TypeTransient = 0x80;
    /// <summary>TPM_HT_PERSISTENT.</summary>
    public const byte TypePersistent = 0x81;
}
