using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMT_SYM_DEF (Part 2, §11.1.6) and TPMT_SYM_DEF_OBJECT (§11.1.7): a symmetric algorithm, its key size and
/// mode. For <see cref="TpmAlgId.Xor"/> the "key bits" member carries the hash algorithm and there is no mode;
/// for <see cref="TpmAlgId.Null"/> neither member is present.
/// </summary>
public sealed record TpmtSymDef(TpmAlgId Algorithm, ushort KeyBits, TpmAlgId Mode) : ITpmStructure<TpmtSymDef>
{
    /// <summary>TPM_ALG_NULL: no symmetric algorithm.</summary>
    public static TpmtSymDef Null { get; } = new(TpmAlgId.Null, 0, TpmAlgId.Null);

    /// <summary>AES-128 in CFB mode, the storage-key symmetric of the TCG default templates.</summary>
    public static TpmtSymDef Aes128Cfb { get; } = new(TpmAlgId.Aes, 128, TpmAlgId.Cfb);

    /// <summary>AES-256 in CFB mode (high-range EK templates).</summary>
    public static TpmtSymDef Aes256Cfb { get; } = new(TpmAlgId.Aes, 256, TpmAlgId.Cfb);

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)Algorithm);
        if (Algorithm == TpmAlgId.Null) return;
        writer.WriteUInt16(KeyBits);
        if (Algorithm != TpmAlgId.Xor) writer.WriteUInt16((ushort)Mode);
    }

    /// <inheritdoc/>
    public static TpmtSymDef ReadFrom(ref TpmReader reader)
    {
        var algorithm = (TpmAlgId)reader.ReadUInt16();
        switch (algorithm)
        {
            case TpmAlgId.Null:
                return Null;
            case TpmAlgId.Xor:
                return new(algorithm, reader.ReadUInt16(), TpmAlgId.Null);
            case TpmAlgId.Aes:
                var bits = reader.ReadUInt16();
                var mode = (TpmAlgId)reader.ReadUInt16();
                if (mode is not (TpmAlgId.Cfb or TpmAlgId.Ctr or TpmAlgId.Ofb or TpmAlgId.Cbc or TpmAlgId.Ecb or TpmAlgId.Null))
                    throw new TpmFormatException($"unknown symmetric mode {mode}");
                return new(algorithm, bits, mode);
            default:
                throw new TpmFormatException($"unknown symmetric algorithm {algorithm}");
        }
    }
}
