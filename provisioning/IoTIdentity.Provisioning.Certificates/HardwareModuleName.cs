using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// The hardware module that holds a device's key, written into the device certificate's subjectAltName as an
/// otherName (RFC 4108 §5): <c>id-on-hardwareModuleName</c> (1.3.6.1.5.5.7.8.4) with value
/// <c>HardwareModuleName ::= SEQUENCE { hwType OBJECT IDENTIFIER, hwSerialNum OCTET STRING }</c>.
/// </summary>
/// <param name="HardwareType">The hwType OID; <see cref="TcgTpm20"/> for a TPM 2.0.</param>
/// <param name="SerialNumber">The hwSerialNum octets.</param>
/// <remarks>
/// For a TPM this library writes, as hwSerialNum, the SHA-256 digest of the EK's marshalled TPMT_PUBLIC — the
/// 32 bytes whose lowercase hex is the deviceId. Not the EK certificate's serial number: that is unique only per
/// manufacturer CA, not every TPM has an EK certificate, and a re-issued EK certificate gets a new serial, while the
/// EK digest is stable for the life of the TPM and anyone holding the EK public area can recompute it.
/// </remarks>
public sealed record HardwareModuleName(string HardwareType, byte[] SerialNumber)
{
    /// <summary>id-on-hardwareModuleName (RFC 4108 §5), the otherName type id.</summary>
    public const string OtherNameOid = "1.3.6.1.5.5.7.8.4";

    /// <summary>The TCG OID for a TPM 2.0 as a hardware module type (tcg 1.2).</summary>
    public const string TcgTpm20 = "2.23.133.1.2";

    /// <summary>A TPM 2.0 identified by its EK digest: SHA-256 of the EK's marshalled TPMT_PUBLIC.</summary>
    /// <param name="ekPublicDigest">The 32-byte digest (the bytes of the deviceId).</param>
    public static HardwareModuleName ForTpm20(ReadOnlySpan<byte> ekPublicDigest)
    {
        if (ekPublicDigest.Length != 32)
            throw new ArgumentException("The EK digest is SHA-256: 32 bytes.", nameof(ekPublicDigest));
        return new HardwareModuleName(TcgTpm20, ekPublicDigest.ToArray());
    }

    /// <summary>A TPM 2.0 identified by a full deviceId (64 lowercase hex digits of the EK digest).</summary>
    /// <param name="deviceId">The deviceId.</param>
    public static HardwareModuleName ForTpm20Device(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        if (deviceId.Length != DeviceIds.MaxLength || !DeviceIds.IsValid(deviceId))
            throw new ArgumentException("A full deviceId is 64 lowercase hex digits.", nameof(deviceId));
        return ForTpm20(Convert.FromHexString(deviceId));
    }

    /// <summary>The type and serial in hex (public identifiers, not secrets).</summary>
    public override string ToString() => $"HardwareModuleName({HardwareType}, {Convert.ToHexStringLower(SerialNumber)})";
}
