using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>Service administrator keys: <c>iotid-admin.{secret}</c>, a 256-bit base64url secret; identified by the SHA-256 of the whole string.</summary>
public static class ServiceAdminKeys
{
    /// <summary>The prefix every service administrator key starts with.</summary>
    public const string Prefix = "iotid-admin.";

    /// <summary>A new key.</summary>
    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The SHA-256 of the whole key string (UTF-8): what configuration and storage hold.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
