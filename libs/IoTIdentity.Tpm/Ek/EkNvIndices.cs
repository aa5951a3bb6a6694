namespace IoTIdentity.Tpm.Ek;

/// <summary>NV indices of EK certificates — TCG EK Credential Profile 2.x, §2.2.1.4 (low) and §2.2.1.5 (high).</summary>
public static class EkNvIndices
{
    /// <summary>RSA 2048 EK certificate (L-1).</summary>
    public const uint RsaLow = 0x01C00002;
    /// <summary>ECC P-256 EK certificate (L-2).</summary>
    public const uint EccLow = 0x01C0000A;
    /// <summary>RSA 2048 EK certificate, high range (H-1).</summary>
    public const uint Rsa2048High = 0x01C00012;
    /// <summary>ECC P-256 EK certificate, high range (H-2).</summary>
    public const uint EccP256High = 0x01C00014;
    /// <summary>ECC P-384 EK certificate, high range (H-3).</summary>
    public const uint EccP384High = 0x01C00016;
    /// <summary>ECC P-521 EK certificate, high range (H-4).</summary>
    public const uint EccP521High = 0x01C00018;
    /// <summary>RSA 3072 EK certificate, high range (H-6).</summary>
    public const uint Rsa3072High = 0x01C0001C;
    /// <summary>RSA 4096 EK certificate, high range (H-7).</summary>
    public const uint Rsa4096High = 0x01C0001E;

    /// <summary>
    /// First NV index of the EK certificate chain (the intermediate CAs) — TCG TPM v2.0 Provisioning Guidance,
    /// §2.2.1.5.2: indices <see cref="ChainFirst"/>..<see cref="ChainLast"/>, provisioned contiguously from the first,
    /// each holding one or more concatenated DER certificates.
    /// </summary>
    public const uint ChainFirst = 0x01C00100;
    /// <summary>Last NV index of the EK certificate chain range.</summary>
    public const uint ChainLast = 0x01C001FF;

    /// <summary>The indices in the order a device looks for its EK certificate.</summary>
    public static IReadOnlyList<uint> All { get; } = [RsaLow, EccLow, Rsa2048High, EccP256High, EccP384High, EccP521High, Rsa3072High, Rsa4096High];
}
