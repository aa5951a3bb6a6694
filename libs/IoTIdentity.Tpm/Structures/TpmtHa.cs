using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMT_HA — Part 2, §10.3.2: a hash algorithm and a digest of exactly that algorithm's size (no size field).</summary>
public sealed record TpmtHa(TpmAlgId Hash, byte[] Digest) : ITpmStructure<TpmtHa>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        if (Digest.Length != TpmHash.DigestSize(Hash)) throw new TpmFormatException($"{Hash} digest must be {TpmHash.DigestSize(Hash)} bytes");
        writer.WriteUInt16((ushort)Hash);
        writer.WriteBytes(Digest);
    }

    /// <inheritdoc/>
    public static TpmtHa ReadFrom(ref TpmReader reader)
    {
        var hash = (TpmAlgId)reader.ReadUInt16();
        return new(hash, reader.ReadBytes(TpmHash.DigestSize(hash)).ToArray());
    }
}

/// <summary>TPML_DIGEST_VALUES — Part 2, §10.9.6: one TPMT_HA per bank (the PCR_Extend argument).</summary>
public sealed record TpmlDigestValues(IReadOnlyList<TpmtHa> Digests) : ITpmStructure<TpmlDigestValues>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt32((uint)Digests.Count);
        foreach (var digest in Digests) digest.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public static TpmlDigestValues ReadFrom(ref TpmReader reader)
    {
        var count = reader.ReadUInt32();
        if (count > Tpm2bLimits.ListCount) throw new TpmFormatException($"TPML_DIGEST_VALUES count {count} is too large");
        var list = new TpmtHa[count];
        for (var i = 0; i < count; i++) list[i] = TpmtHa.ReadFrom(ref reader);
        return new(list);
    }
}
