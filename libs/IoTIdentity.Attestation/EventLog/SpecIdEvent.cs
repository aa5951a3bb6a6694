using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// TCG_EfiSpecIDEvent ("Spec ID Event03") — PC Client Platform Firmware Profile, §10.4.5.1: the header event of a
/// crypto-agile log, naming the digest algorithms every later record carries.
/// </summary>
/// <param name="PlatformClass">platformClass (0 client, 1 server).</param>
/// <param name="SpecVersionMajor">specVersionMajor (2).</param>
/// <param name="SpecVersionMinor">specVersionMinor.</param>
/// <param name="SpecErrata">specErrata.</param>
/// <param name="UintnSize">uintnSize (1: UINT32, 2: UINT64).</param>
/// <param name="Algorithms">digestSizes: the banks of the log, in order.</param>
/// <param name="VendorInfo">vendorInfo.</param>
public sealed record SpecIdEvent(uint PlatformClass, byte SpecVersionMajor, byte SpecVersionMinor, byte SpecErrata, byte UintnSize,
    IReadOnlyList<TpmAlgId> Algorithms, byte[] VendorInfo)
{
    /// <summary>The 16-byte signature, NUL included.</summary>
    public static ReadOnlySpan<byte> Signature => "Spec ID Event03\0"u8;
}
