using System.Text;

namespace IoTIdentity.Protocol.Messages;

/// <summary>The bytes a token request's signature covers; built identically by the device and the service.</summary>
public static class TokenProofs
{
    /// <summary>How far <see cref="TokenRequest.SignedAt"/> may be from the service's clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(2);

    /// <summary><c>"iotid-token-v1\n" || deviceId || "\n" || audience || "\n" || serial || "\n" || unix milliseconds</c>.</summary>
    public static byte[] SignedBytes(string deviceId, string audience, string certificateSerial, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes($"iotid-token-v1\n{deviceId}\n{audience}\n{certificateSerial.ToLowerInvariant()}\n{signedAt.ToUnixTimeMilliseconds()}");
}
