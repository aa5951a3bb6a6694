using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPML_PCR_SELECTION — Part 2, §10.9.7: one selection per hash bank.</summary>
public sealed record TpmlPcrSelection(IReadOnlyList<TpmsPcrSelection> Selections) : ITpmStructure<TpmlPcrSelection>
{
    /// <summary>An empty selection.</summary>
    public static TpmlPcrSelection Empty { get; } = new([]);

    /// <summary>One bank with the given PCRs.</summary>
    public static TpmlPcrSelection Of(TpmAlgId hash, params int[] pcrs) => new([TpmsPcrSelection.Of(hash, pcrs)]);

    /// <summary>Every (bank, PCR) pair selected, in the order the TPM digests them (selection order, then ascending index).</summary>
    public IEnumerable<(TpmAlgId Hash, int Pcr)> Pairs =>
        Selections.SelectMany(s => s.Indices.Select(i => (s.Hash, i)));

    /// <summary>
    /// Whether both select exactly the same (bank, PCR) pairs, ignoring trailing zero octets and bank order.
    /// </summary>
    public bool SelectsSameAs(TpmlPcrSelection other) =>
        Pairs.OrderBy(p => p).SequenceEqual(other.Pairs.OrderBy(p => p));

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt32((uint)Selections.Count);
        foreach (var selection in Selections) selection.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    public static TpmlPcrSelection ReadFrom(ref TpmReader reader)
    {
        var count = reader.ReadUInt32();
        if (count > Tpm2bLimits.ListCount) throw new TpmFormatException($"TPML_PCR_SELECTION count {count} is too large");
        var list = new TpmsPcrSelection[count];
        for (var i = 0; i < count; i++) list[i] = TpmsPcrSelection.ReadFrom(ref reader);
        return new(list);
    }
}
