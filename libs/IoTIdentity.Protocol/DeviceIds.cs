using System.Security.Cryptography;

namespace IoTIdentity.Protocol;

/// <summary>
/// A device's id is derived from its EK: the lowercase hex SHA-256 of the EK's marshalled TPMT_PUBLIC. Identity
/// follows the TPM; owners and names are attributes.
/// </summary>
public static class DeviceIds
{
    /// <summary>The device id for an EK public area (marshalled TPMT_PUBLIC, as the TPM returned it).</summary>
    public static string FromEkPublic(ReadOnlySpan<byte> ekPublic) => Convert.ToHexStringLower(SHA256.HashData(ekPublic));
}
