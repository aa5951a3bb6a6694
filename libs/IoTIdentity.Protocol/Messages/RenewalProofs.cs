using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Protocol.Messages;

/// <summary>The bytes a renewal proof signs; built identically by the device and the service.</summary>
public static class RenewalProofs
{
    /// <summary>How far <see cref="RenewalProof.SignedAt"/> may be from the service's clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    /// <summary><c>"iotid-renew-v1\n" || deviceId || "\n" || hex SHA-256(AK public) || "\n" || serial || "\n" || unix seconds</c>.</summary>
    public static byte[] SignedBytes(string deviceId, ReadOnlySpan<byte> akPublic, string certificateSerial, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes(
            $"iotid-renew-v1\n{deviceId}\n{Convert.ToHexStringLower(SHA256.HashData(akPublic))}\n{certificateSerial.ToLowerInvariant()}\n{signedAt.ToUnixTimeSeconds()}");
}
