using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMS_CREATION_DATA — Part 2, §15.1: the environment an object was created in.</summary>
public sealed record TpmsCreationData(
    TpmlPcrSelection PcrSelect,
    byte[] PcrDigest,
    byte Locality,
    TpmAlgId ParentNameAlg,
    byte[] ParentName,
    byte[] ParentQualifiedName,
    byte[] OutsideInfo) : ITpmSizedContent<TpmsCreationData>
{
    /// <inheritdoc/>
    public static int MaxSize => 1024;

    /// <inheritdoc/>
    public static string WrapperName => "TPM2B_CREATION_DATA";

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        PcrSelect.WriteTo(ref writer);
        writer.WriteSized(PcrDigest);
        writer.WriteByte(Locality);
        writer.WriteUInt16((ushort)ParentNameAlg);
        writer.WriteSized(ParentName);
        writer.WriteSized(ParentQualifiedName);
        writer.WriteSized(OutsideInfo);
    }

    /// <inheritdoc/>
    public static TpmsCreationData ReadFrom(ref TpmReader reader) => new(
        TpmlPcrSelection.ReadFrom(ref reader),
        reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST pcrDigest"),
        reader.ReadByte(),
        (TpmAlgId)reader.ReadUInt16(),
        reader.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME parentName"),
        reader.ReadSized(Tpm2bLimits.Name, "TPM2B_NAME parentQualifiedName"),
        reader.ReadSized(Tpm2bLimits.Data, "TPM2B_DATA outsideInfo"));
}
