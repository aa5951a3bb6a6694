namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>Hand-marshalled commands (Part 3) so transport tests do not depend on the command layer.</summary>
internal static class TpmCommands
{
    /// <summary>TPM2_Startup(TPM_SU_CLEAR): tag NO_SESSIONS, size 12, TPM_CC_Startup, startupType 0.</summary>
    public static readonly byte[] StartupClear = Convert.FromHexString("80010000000C000001440000");

    /// <summary>TPM2_Startup with startupType 2, which is not a TPM_SU value.</summary>
    public static readonly byte[] StartupInvalidType = Convert.FromHexString("80010000000C000001440002");

    /// <summary>TPM2_GetRandom(bytesRequested = 16).</summary>
    public static readonly byte[] GetRandom16 = Convert.FromHexString("80010000000C0000017B0010");

    /// <summary>TPM2_ReadPublic(objectHandle = 0x80FFFFFF), a transient handle outside swtpm's range.</summary>
    public static readonly byte[] ReadPublicBadHandle = Convert.FromHexString("80010000000E0000017380FFFFFF");

    /// <summary>TPM2_ReadPublic(objectHandle = 0x80000000), the first transient handle, with nothing loaded.</summary>
    public static readonly byte[] ReadPublicNotLoaded = Convert.FromHexString("80010000000E0000017380000000");

    /// <summary>A complete success response: tag, size, TPM_RC_SUCCESS, then <paramref name="body"/>.</summary>
    public static byte[] Response(uint responseCode, params byte[] body)
    {
        var response = new byte[10 + body.Length];
        response[0] = 0x80;
        response[1] = 0x01;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(2), (uint)response.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(6), responseCode);
        body.CopyTo(response, 10);
        return response;
    }

    /// <summary>Checks a TPM2_GetRandom(16) success response and returns the random bytes.</summary>
    public static byte[] AssertRandom16(byte[] response)
    {
        Assert.Equal(28, response.Length);
        Assert.Equal("80010000001C00000000", Convert.ToHexString(response, 0, 10));
        Assert.Equal("0010", Convert.ToHexString(response, 10, 2));
        return response[12..];
    }
}
