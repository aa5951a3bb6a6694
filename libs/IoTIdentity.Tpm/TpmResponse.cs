using System.Buffers.Binary;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm;

/// <summary>
/// Checks the 10-byte response header every TPM response starts with — Part 1, §18 (tag, responseSize,
/// responseCode) — before the command layer unmarshals the parameters.
/// </summary>
internal static class TpmResponse
{
    /// <summary>Size of the response header: TPM_ST tag, UINT32 responseSize, TPM_RC responseCode.</summary>
    public const int HeaderSize = 10;

    /// <summary>Returns the responseCode, after checking the header is well formed and its size matches the buffer.</summary>
    public static uint ReadResponseCode(ReadOnlySpan<byte> response)
    {
        if (response.Length < HeaderSize)
            throw new TpmFormatException($"TPM response of {response.Length} bytes is shorter than its 10-byte header");
        var tag = (TpmSt)BinaryPrimitives.ReadUInt16BigEndian(response);
        if (tag is not (TpmSt.NoSessions or TpmSt.Sessions or TpmSt.RspCommand))
            throw new TpmFormatException($"TPM response tag 0x{(ushort)tag:X4} is not a response tag");
        var size = BinaryPrimitives.ReadUInt32BigEndian(response[2..]);
        if (size != (uint)response.Length)
            throw new TpmFormatException($"TPM responseSize {size} does not match the {response.Length} bytes received");
        return BinaryPrimitives.ReadUInt32BigEndian(response[6..]);
    }

    /// <summary>
    /// Throws <see cref="TpmException"/> when the response carries a non-success code (a TPM that fails a
    /// command answers with the header only, Part 3, §5 "Command Processing"); throws <see cref="TpmFormatException"/> for a
    /// malformed header or a TPM 1.2-style (TPM_ST_RSP_COMMAND) response that claims success.
    /// </summary>
    public static void ThrowIfError(ReadOnlySpan<byte> response, TpmCc? command)
    {
        var rc = ReadResponseCode(response);
        if (rc != 0) throw new TpmException(rc, command);
        if ((TpmSt)BinaryPrimitives.ReadUInt16BigEndian(response) == TpmSt.RspCommand)
            throw new TpmFormatException("a TPM 1.2-style response (TPM_ST_RSP_COMMAND) cannot report success");
    }
}
