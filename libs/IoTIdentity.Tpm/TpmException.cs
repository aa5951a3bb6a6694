using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm;

/// <summary>The TPM answered a command with an error response code.</summary>
public sealed class TpmException(uint responseCode, TpmCc? command)
    : Exception($"{command} failed: 0x{responseCode:X8}")
{
    /// <summary>The raw TPM_RC.</summary>
    public uint ResponseCode { get; } = responseCode;

    /// <summary>The command that failed.</summary>
    public TpmCc? Command { get; } = command;
}
