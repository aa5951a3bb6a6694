using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPM2B_PRIVATE — Part 2, §12.3.7: an object's protected private area, opaque outside the TPM.</summary>
public sealed record Tpm2bPrivate(byte[] Buffer) : ITpmStructure<Tpm2bPrivate>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer) => writer.WriteSized(Buffer);

    /// <inheritdoc/>
    public static Tpm2bPrivate ReadFrom(ref TpmReader reader) => new(reader.ReadSized(Tpm2bLimits.Private, "TPM2B_PRIVATE"));
}
