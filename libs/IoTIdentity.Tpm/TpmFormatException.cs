namespace IoTIdentity.Tpm;

/// <summary>
/// A TPM structure could not be marshalled or unmarshalled: a truncated buffer, a size field larger than the
/// remaining bytes or the structure's maximum, an unknown union selector, or trailing bytes. Distinct from
/// <see cref="TpmException"/> (the TPM returned an error) and from transport failures.
/// </summary>
public sealed class TpmFormatException : Exception
{
    /// <summary>Creates the exception with a message naming what was malformed.</summary>
    public TpmFormatException(string message) : base(message) { }
}
