using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPML_DIGEST — Part 2, §10.9.3: up to 8 TPM2B_DIGESTs (PCR_Read returns values in these).</summary>
public sealed record TpmlDigest(IReadOnlyList<byte[]> Digests) : ITpmStructure<TpmlDigest>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt32((uint)Digests.Count);
        foreach (var digest in Digests) writer.WriteSized(digest);
    }

    /// <inheritdoc/>
    public static TpmlDigest ReadFrom(ref TpmReader reader)
    {
        var count = reader.ReadUInt32();
        if (count > Tpm2bLimits.DigestList) throw new TpmFormatException($"TPML_DIGEST count {count} exceeds {Tpm2bLimits.DigestList}");
        var list = new byte[count][];
        for (var i = 0; i < count; i++) list[i] = reader.ReadSized(Tpm2bLimits.Digest, "TPM2B_DIGEST");
        return new(list);
    }
}
