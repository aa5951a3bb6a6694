using System.Globalization;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm;

/// <summary>
/// The TPM executed (or refused) a command and answered with a non-success response code — TPM_RC, Part 2,
/// §6.6. The code is decoded into its canonical value, its severity and the handle, parameter or session it
/// names, so callers can branch on <see cref="Code"/> (e.g. retry on <see cref="TpmRc.Retry"/>) without bit
/// twiddling. Distinct from <see cref="TpmFormatException"/> (bytes that do not parse) and from
/// <c>TpmTransportException</c> (the bytes never arrived).
/// </summary>
public sealed class TpmException : Exception
{
    /// <summary>Creates the exception for <paramref name="responseCode"/> returned by <paramref name="command"/>.</summary>
    public TpmException(uint responseCode, TpmCc? command = null)
        : base(FormatMessage(new TpmResponseCode(responseCode), command))
    {
        ResponseCode = responseCode;
        Command = command;
    }

    /// <summary>The raw responseCode field of the response header.</summary>
    public uint ResponseCode { get; }

    /// <summary>The command that failed, when the caller knew it.</summary>
    public TpmCc? Command { get; }

    /// <summary>The full decoding of <see cref="ResponseCode"/>.</summary>
    public TpmResponseCode Decoded => new(ResponseCode);

    /// <summary>The canonical code with handle/parameter/session number removed (see <see cref="TpmResponseCode.Code"/>).</summary>
    public TpmRc Code => Decoded.Code;

    /// <summary>True for a format-zero warning (RC_WARN): the command did not run and may succeed later.</summary>
    public bool IsWarning => Decoded.IsWarning;

    /// <summary>Whether <see cref="Index"/> numbers a handle, a parameter or a session.</summary>
    public TpmRcSubject Subject => Decoded.Subject;

    /// <summary>The 1-based handle, parameter or session number; 0 when <see cref="Subject"/> is None.</summary>
    public int Index => Decoded.Index;

    /// <summary>
    /// The spec name of a command code: <c>TPM2_ActivateCredential</c>, <c>TPM2_PCR_Read</c>, <c>TPM2_NV_Read</c>;
    /// codes this library does not list are shown as hex.
    /// </summary>
    public static string CommandName(TpmCc command)
    {
        if (!Enum.IsDefined(command))
            return "TPM_CC 0x" + ((uint)command).ToString("X8", CultureInfo.InvariantCulture);
        var name = command.ToString();
        if (name.StartsWith("Pcr", StringComparison.Ordinal)) return "TPM2_PCR_" + name[3..];
        if (name.StartsWith("Nv", StringComparison.Ordinal)) return "TPM2_NV_" + name[2..];
        return "TPM2_" + name;
    }

    private static string FormatMessage(TpmResponseCode code, TpmCc? command)
    {
        var what = command is { } cc ? CommandName(cc) : "TPM command";
        return $"{what} failed: {code}";
    }
}
