using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMT_TK_CREATION (Part 2, §10.7.3), TPMT_TK_VERIFIED (§10.7.4), TPMT_TK_AUTH (§10.7.5) and TPMT_TK_HASHCHECK
/// (§10.7.6): all four are a tag, a hierarchy and a digest; the tag says which ticket it is.
/// </summary>
public sealed record TpmtTicket(TpmSt Tag, uint Hierarchy, byte[] Digest) : ITpmStructure<TpmtTicket>
{
    /// <summary>The NULL hash-check ticket Sign and friends take when the digest was not made by the TPM.</summary>
    public static TpmtTicket NullHashCheck { get; } = new(TpmSt.HashCheck, TpmHandles.Null, []);

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)Tag);
        writer.WriteUInt32(Hierarchy);
        writer.WriteSized(Digest);
    }

    /// <inheritdoc/>
    public static TpmtTicket ReadFrom(ref TpmReader reader)
    {
        var tag = (TpmSt)reader.ReadUInt16();
        if (tag is not (TpmSt.Creation or TpmSt.Verified or TpmSt.AuthSecret or TpmSt.AuthSigned or TpmSt.HashCheck))
            throw new TpmFormatException($"unknown ticket tag 0x{(ushort)tag:X4}");
        return new(tag, reader.ReadUInt32(), reader.ReadSized(Tpm2bLimits.Digest, "ticket digest"));
    }
}
