using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMS_PCR_SELECTION — Part 2, §10.6.2: a hash bank and a bitmap of PCR indices (bit n of octet n/8).</summary>
public sealed record TpmsPcrSelection(TpmAlgId Hash, byte[] Select) : ITpmStructure<TpmsPcrSelection>
{
    /// <summary>Selects <paramref name="pcrs"/> in bank <paramref name="hash"/>, with at least 3 octets as PC Client TPMs expect.</summary>
    public static TpmsPcrSelection Of(TpmAlgId hash, IEnumerable<int> pcrs)
    {
        var list = pcrs.ToList();
        var bytes = Math.Max(3, list.Count == 0 ? 0 : list.Max() / 8 + 1);
        if (bytes > Tpm2bLimits.PcrSelect) throw new ArgumentOutOfRangeException(nameof(pcrs), "PCR index too large");
        var select = new byte[bytes];
        foreach (var pcr in list)
        {
            if (pcr < 0) throw new ArgumentOutOfRangeException(nameof(pcrs), "negative PCR index");
            select[pcr / 8] |= (byte)(1 << (pcr % 8));
        }
        return new(hash, select);
    }

    /// <summary>The selected PCR indices in ascending order (the order the TPM digests them in).</summary>
    public IReadOnlyList<int> Indices
    {
        get
        {
            var result = new List<int>();
            for (var i = 0; i < Select.Length * 8; i++)
                if ((Select[i / 8] & (1 << (i % 8))) != 0) result.Add(i);
            return result;
        }
    }

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt16((ushort)Hash);
        writer.WriteByte((byte)Select.Length);
        writer.WriteBytes(Select);
    }

    /// <inheritdoc/>
    public static TpmsPcrSelection ReadFrom(ref TpmReader reader)
    {
        var hash = (TpmAlgId)reader.ReadUInt16();
        int size = reader.ReadByte();
        if (size > Tpm2bLimits.PcrSelect) throw new TpmFormatException($"sizeofSelect {size} exceeds {Tpm2bLimits.PcrSelect}");
        return new(hash, reader.ReadBytes(size).ToArray());
    }
}
