using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMS_NV_PUBLIC — Part 2, §13.5: an NV index's public area.</summary>
public sealed record TpmsNvPublic(uint NvIndex, TpmAlgId NameAlg, TpmaNv Attributes, byte[] AuthPolicy, ushort DataSize)
    : ITpmSizedContent<TpmsNvPublic>
{
    /// <inheritdoc/>
    public static int MaxSize => 4 + 2 + 4 + 2 + Tpm2bLimits.Digest + 2;

    /// <inheritdoc/>
    public static string WrapperName => "TPM2B_NV_PUBLIC";

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt32(NvIndex);
        writer.WriteUInt16((ushort)NameAlg);
        writer.WriteUInt32((uint)Attributes);
        writer.WriteSized(AuthPolicy);
        writer.WriteUInt16(DataSize);
    }

    /// <inheritdoc/>
    public static TpmsNvPublic ReadFrom(ref TpmReader reader) => new(
        reader.ReadUInt32(),
        (TpmAlgId)reader.ReadUInt16(),
        (TpmaNv)reader.ReadUInt32(),
        reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST authPolicy"),
        reader.ReadUInt16());
}
