using System.Globalization;
using System.Text;

namespace IoTIdentity.Tpm.Types;

/// <summary>
/// A decoded TPM_RC — Part 2, §6.6.2 ("Response Code Formats"). The raw value is kept; everything else is
/// derived from its bits:
/// <list type="bullet">
/// <item>bit 7 (F) selects the format. <b>Format-zero</b> (F = 0): bits 6:0 are the error number, bit 8 (V) marks a
/// TPM 2.0 code (V = 0 with a non-zero value is a TPM 1.2 code), bit 10 (T) a vendor-defined code and bit 11 (S)
/// a warning.</item>
/// <item><b>Format-one</b> (F = 1): bits 5:0 are the error number, bit 6 (P) says bits 11:8 (N) are a parameter
/// number; otherwise N bit 3 selects a session (1) or a handle (0) and N bits 2:0 are its number.</item>
/// </list>
/// </summary>
public readonly record struct TpmResponseCode(uint Value)
{
    private const uint Fmt1 = 0x080;
    private const uint Ver1 = 0x100;
    private const uint Vendor = 0x400;
    private const uint Severity = 0x800;
    private const uint ParameterBit = 0x040;

    /// <summary>True for TPM_RC_SUCCESS.</summary>
    public bool IsSuccess => Value == 0;

    /// <summary>True when bit 7 (F) is set: the code may name a handle, parameter or session.</summary>
    public bool IsFormatOne => (Value & Fmt1) != 0;

    /// <summary>True for a TPM 1.2-style code: format-zero, V (bit 8) clear, and not success.</summary>
    public bool IsTpm12 => !IsFormatOne && (Value & Ver1) == 0 && Value != 0;

    /// <summary>True for a format-zero code with T (bit 10) set: its meaning is defined by the TPM vendor.</summary>
    public bool IsVendorSpecific => !IsFormatOne && (Value & Ver1) != 0 && (Value & Vendor) != 0;

    /// <summary>True for a format-zero TPM 2.0 code with S (bit 11) set: a warning, usually worth a retry or a flush.</summary>
    public bool IsWarning => !IsFormatOne && (Value & Ver1) != 0 && (Value & Severity) != 0 && (Value & Vendor) == 0;

    /// <summary>
    /// The canonical code: for format-one, RC_FMT1 plus the error number (bits 5:0) with P and N removed; for
    /// format-zero, the value with the reserved bits 31:12 and bit 9 cleared; a TPM 1.2 code is kept whole.
    /// Compare it with <see cref="TpmRc"/>.
    /// </summary>
    public TpmRc Code => IsFormatOne ? (TpmRc)(Fmt1 | (Value & 0x3F))
        : IsTpm12 ? (TpmRc)Value
        : (TpmRc)(Value & 0xDFF);

    /// <summary>What <see cref="Index"/> counts: a handle, a parameter, a session, or nothing.</summary>
    public TpmRcSubject Subject
    {
        get
        {
            if (!IsFormatOne) return TpmRcSubject.None;
            var n = (Value >> 8) & 0xF;
            if ((Value & ParameterBit) != 0) return n == 0 ? TpmRcSubject.None : TpmRcSubject.Parameter;
            if ((n & 0x7) == 0) return TpmRcSubject.None;
            return (n & 0x8) != 0 ? TpmRcSubject.Session : TpmRcSubject.Handle;
        }
    }

    /// <summary>The 1-based handle (1–7), parameter (1–15) or session (1–7) number; 0 when <see cref="Subject"/> is None.</summary>
    public int Index => Subject switch
    {
        TpmRcSubject.Parameter => (int)((Value >> 8) & 0xF),
        TpmRcSubject.Handle or TpmRcSubject.Session => (int)((Value >> 8) & 0x7),
        _ => 0,
    };

    /// <summary>The specification name of <see cref="Code"/>, e.g. <c>TPM_RC_INTEGRITY</c>, or null when the table has none.</summary>
    public string? CodeName
    {
        get
        {
            if (IsTpm12 && Code != TpmRc.BadTag) return null;
            if (IsVendorSpecific || !Enum.IsDefined(Code)) return null;
            return "TPM_RC_" + ToUpperSnake(Code.ToString());
        }
    }

    /// <summary>A readable form: <c>TPM_RC_INTEGRITY (parameter 2)</c>, <c>TPM_RC_RETRY (warning)</c>, or the raw hex for unknown codes.</summary>
    public override string ToString()
    {
        var hex = "0x" + Value.ToString("X8", CultureInfo.InvariantCulture);
        var text = CodeName
            ?? (IsVendorSpecific ? $"vendor-specific response code {hex}"
                : IsTpm12 ? $"TPM 1.2 response code {hex}"
                : $"unknown response code {hex}");
        if (Subject != TpmRcSubject.None) text += $" ({Subject.ToString().ToLowerInvariant()} {Index})";
        else if (IsWarning) text += " (warning)";
        return text;
    }

    private static string ToUpperSnake(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(pascal[i - 1])) builder.Append('_');
            builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }
}
