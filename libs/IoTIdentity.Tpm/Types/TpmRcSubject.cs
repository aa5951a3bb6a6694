namespace IoTIdentity.Tpm.Types;

/// <summary>
/// What a format-one response code points at — Part 2, §6.6.2 (the P and N fields of a format-one TPM_RC).
/// </summary>
public enum TpmRcSubject
{
    /// <summary>The code names no particular handle, parameter or session (format-zero, or N = 0).</summary>
    None = 0,
    /// <summary>The N field is a 1-based handle number (P = 0, N bit 3 = 0).</summary>
    Handle = 1,
    /// <summary>The N field is a 1-based parameter number (P = 1).</summary>
    Parameter = 2,
    /// <summary>The N field is a 1-based authorization session number (P = 0, N bit 3 = 1).</summary>
    Session = 3,
}
