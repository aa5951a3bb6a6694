using System.Security.Cryptography;

namespace IoTIdentity.Protocol;

/// <summary>
/// A device's id is derived from its EK: the lowercase hex SHA-256 of the EK's marshalled TPMT_PUBLIC. Identity
/// follows the TPM; owners and names are attributes. This is the one rule for what a device id may look like, used
/// by the MQTT endpoint (client ids, topics), the management API, the certificate issuer and the agent alike.
/// </summary>
public static class DeviceIds
{
    /// <summary>The longest id: 64 hex digits, a whole SHA-256 (also the bound of a certificate's common name).</summary>
    public const int MaxLength = 64;

    /// <summary>The device id for an EK public area (marshalled TPMT_PUBLIC, as the TPM returned it).</summary>
    public static string FromEkPublic(ReadOnlySpan<byte> ekPublic) => Convert.ToHexStringLower(SHA256.HashData(ekPublic));

    /// <summary>Whether <paramref name="deviceId"/> can be a device id: 1 to <see cref="MaxLength"/> lowercase hex digits.</summary>
    public static bool IsValid(string? deviceId)
    {
        if (string.IsNullOrEmpty(deviceId) || deviceId.Length > MaxLength) return false;
        foreach (var c in deviceId)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        return true;
    }
}
