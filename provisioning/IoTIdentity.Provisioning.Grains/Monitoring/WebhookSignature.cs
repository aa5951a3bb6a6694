using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// How a webhook is signed: <c>X-IoTId-Signature: sha256=</c> and the lowercase hex HMAC-SHA256, keyed with the
/// endpoint's secret, over the ASCII of <c>X-IoTId-Timestamp</c> (Unix seconds), a dot, and the body's bytes. The
/// timestamp inside the MAC lets a receiver refuse a replayed delivery by its age.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header carrying the signature.</summary>
    public const string SignatureHeader = "X-IoTId-Signature";
    /// <summary>The header carrying the Unix time of signing.</summary>
    public const string TimestampHeader = "X-IoTId-Timestamp";
    /// <summary>The header carrying the delivery id (the same on every attempt).</summary>
    public const string DeliveryHeader = "X-IoTId-Delivery";
    /// <summary>The header naming the event (<c>finding.opened</c>).</summary>
    public const string EventHeader = "X-IoTId-Event";

    /// <summary>The <see cref="SignatureHeader"/> value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(byte[] secret, long timestamp, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, Signed(timestamp, body)));

    /// <summary>Whether <paramref name="signature"/> is the signature of <paramref name="body"/> at <paramref name="timestamp"/> (constant time).</summary>
    public static bool Verify(byte[] secret, long timestamp, ReadOnlySpan<byte> body, string signature)
    {
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var presented = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private static byte[] Signed(long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return signed;
    }
}
