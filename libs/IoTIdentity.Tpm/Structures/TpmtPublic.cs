using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMT_PUBLIC — Part 2, §12.2.4: the public area of an object. The type selector is not stored separately: it is
/// <see cref="TpmuPublicParms.Type"/> of <see cref="Parameters"/>, and <see cref="Unique"/> must fit it.
/// </summary>
public sealed record TpmtPublic(
    TpmAlgId NameAlg,
    TpmaObject Attributes,
    byte[] AuthPolicy,
    TpmuPublicParms Parameters,
    TpmuPublicId Unique) : ITpmSizedContent<TpmtPublic>
{
    /// <summary>TPMI_ALG_PUBLIC: the object's type.</summary>
    public TpmAlgId Type => Parameters.Type;

    /// <inheritdoc/>
    public static int MaxSize => 1024;

    /// <inheritdoc/>
    public static string WrapperName => "TPM2B_PUBLIC";

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        if (!Unique.Fits(Type)) throw new TpmFormatException($"unique member {Unique.GetType().Name} does not fit type {Type}");
        writer.WriteUInt16((ushort)Type);
        writer.WriteUInt16((ushort)NameAlg);
        writer.WriteUInt32((uint)Attributes);
        writer.WriteSized(AuthPolicy);
        Parameters.WriteTo(ref writer);
        Unique.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public static TpmtPublic ReadFrom(ref TpmReader reader)
    {
        var type = (TpmAlgId)reader.ReadUInt16();
        var nameAlg = (TpmAlgId)reader.ReadUInt16();
        if (nameAlg != TpmAlgId.Null && !TpmHash.IsHash(nameAlg)) throw new TpmFormatException($"unknown name algorithm {nameAlg}");
        var attributes = (TpmaObject)reader.ReadUInt32();
        var authPolicy = reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST authPolicy");
        var parameters = TpmuPublicParms.ReadFrom(ref reader, type);
        var unique = TpmuPublicId.ReadFrom(ref reader, type);
        return new(nameAlg, attributes, authPolicy, parameters, unique);
    }
}
