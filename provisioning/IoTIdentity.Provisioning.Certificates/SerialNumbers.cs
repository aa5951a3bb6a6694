using System.Security.Cryptography;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IoTIdentity.Provisioning.Certificates;

/// <summary>
/// Certificate serial numbers: 16 random bytes whose DER INTEGER is exactly those 16 bytes — positive (top bit
/// cleared, so no 0x00 sign byte) and without a leading zero octet (the first byte is redrawn when it is 0). That
/// leaves log2(127) + 120 ≈ 127 random bits, and every serial prints as 32 hex digits the same way here, in .NET
/// (<c>X509Certificate2.SerialNumber</c>) and in <c>openssl</c>.
/// </summary>
internal static class SerialNumbers
{
    public const int Length = 16;

    public static (BigInteger Value, string Hex) Next(RandomNumberGenerator random)
    {
        Span<byte> bytes = stackalloc byte[Length];
        random.GetBytes(bytes);
        bytes[0] &= 0x7F;
        while (bytes[0] == 0)
        {
            random.GetBytes(bytes[..1]);
            bytes[0] &= 0x7F;
        }
        return (new BigInteger(1, bytes), Convert.ToHexStringLower(bytes));
    }

    /// <summary>Reads a serial written as hex (any case, even length, at most 20 octets, positive).</summary>
    public static BigInteger Parse(string hex, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(hex, parameterName);
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"Serial number '{hex}' is not hex.", parameterName);
        }
        if (bytes.Length is 0 or > 21 || (bytes.Length == 21 && bytes[0] != 0))
            throw new ArgumentException($"Serial number '{hex}' is longer than 20 octets.", parameterName);
        var value = new BigInteger(1, bytes);
        if (value.SignValue <= 0) throw new ArgumentException("A serial number must be positive.", parameterName);
        return value;
    }
}
