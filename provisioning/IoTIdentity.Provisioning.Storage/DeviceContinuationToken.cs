using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace IoTIdentity.Provisioning.Storage;

/// <summary>
/// The device-listing continuation token every backend issues and accepts, so that tokens are validated the same
/// way everywhere and a backend never has to trust its own query engine's token format.
/// </summary>
/// <remarks>
/// A token is the unpadded base64url encoding of: version byte <c>0x01</c>, then the tenant id and the last
/// device id returned, each as a 2-byte big-endian length followed by its UTF-8 bytes. The next page starts
/// strictly after that device id. The tenant id is bound in so that a token cannot be replayed against another
/// tenant. Tokens are not secret and not signed: editing one can at most skip devices of the caller's own tenant.
/// </remarks>
public static class DeviceContinuationToken
{
    private const byte Version = 1;

    // 1 version byte + 2 × (2 length bytes + 256 characters × 3 UTF-8 bytes), as base64.
    private const int MaxTokenLength = (1 + (2 * (2 + (StoreLimits.MaxIdLength * 3))) + 2) / 3 * 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Issues the token that resumes a listing after <paramref name="lastDeviceId"/>.</summary>
    /// <param name="tenantId">The tenant being listed.</param>
    /// <param name="lastDeviceId">The last device id on the page just returned.</param>
    /// <returns>The opaque token.</returns>
    public static string Encode(string tenantId, string lastDeviceId)
    {
        StoreLimits.CheckId(tenantId);
        StoreLimits.CheckId(lastDeviceId);
        var tenant = Encoding.UTF8.GetBytes(tenantId);
        var device = Encoding.UTF8.GetBytes(lastDeviceId);
        var bytes = new byte[1 + 2 + tenant.Length + 2 + device.Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), (ushort)tenant.Length);
        tenant.CopyTo(bytes, 3);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(3 + tenant.Length), (ushort)device.Length);
        device.CopyTo(bytes, 5 + tenant.Length);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Validates a token and returns the device id the next page starts after.</summary>
    /// <param name="token">The token from a previous page.</param>
    /// <param name="tenantId">The tenant being listed; the token must have been issued for it.</param>
    /// <param name="paramName">The argument that carried the token, for the exception.</param>
    /// <returns>The last device id of the previous page.</returns>
    /// <exception cref="InvalidContinuationTokenException">The token is malformed, truncated, of another version,
    /// or issued for another tenant.</exception>
    public static string Decode(string token, string tenantId, string? paramName = "query.ContinuationToken")
    {
        ArgumentNullException.ThrowIfNull(token, paramName);
        if (token.Length is 0 or > MaxTokenLength)
        {
            throw Invalid("it has an impossible length", paramName);
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            throw Invalid("it is not base64url", paramName);
        }

        if (bytes.Length < 1 || bytes[0] != Version)
        {
            throw Invalid("its version is unknown", paramName);
        }

        var rest = bytes.AsSpan(1);
        var tokenTenant = ReadField(ref rest, paramName);
        var lastDeviceId = ReadField(ref rest, paramName);
        if (!rest.IsEmpty)
        {
            throw Invalid("it has trailing bytes", paramName);
        }

        if (!string.Equals(tokenTenant, tenantId, StringComparison.Ordinal))
        {
            throw Invalid("it was issued for another tenant", paramName);
        }

        try
        {
            StoreLimits.CheckId(lastDeviceId);
        }
        catch (ArgumentException)
        {
            throw Invalid("its device id is not a valid id", paramName);
        }

        return lastDeviceId;
    }

    private static string ReadField(ref Span<byte> rest, string? paramName)
    {
        if (rest.Length < 2)
        {
            throw Invalid("it is truncated", paramName);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (rest.Length < 2 + length)
        {
            throw Invalid("it is truncated", paramName);
        }

        try
        {
            var text = StrictUtf8.GetString(rest.Slice(2, length));
            rest = rest[(2 + length)..];
            return text;
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("it is not UTF-8", paramName);
        }
    }

    private static InvalidContinuationTokenException Invalid(string why, string? paramName) =>
        new($"The continuation token is not one this store issued for this tenant: {why}.", paramName);
}
