using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Tpm.Structures;

/// <summary>
/// TPMS_CAPABILITY_DATA — Part 2, §10.10.2, for the capabilities IoTIdentity asks about. Each list is kept as
/// UINT32 words (handles; algorithm id + TPMA_ALGORITHM; property tag + value pairs; curve ids) or, for PCRs, as a
/// TPML_PCR_SELECTION. Other capabilities are a format error.
/// </summary>
public sealed record TpmsCapabilityData(TpmCap Capability, IReadOnlyList<uint> Values, TpmlPcrSelection? Pcrs = null)
    : ITpmStructure<TpmsCapabilityData>
{
    /// <summary>For <see cref="TpmCap.TpmProperties"/>: the (property, value) pairs.</summary>
    public IEnumerable<(uint Property, uint Value)> Properties =>
        Enumerable.Range(0, Values.Count / 2).Select(i => (Values[2 * i], Values[2 * i + 1]));

    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt32((uint)Capability);
        switch (Capability)
        {
            case TpmCap.Pcrs:
                (Pcrs ?? TpmlPcrSelection.Empty).WriteTo(ref writer);
                return;
            case TpmCap.Handles:
                writer.WriteUInt32((uint)Values.Count);
                foreach (var value in Values) writer.WriteUInt32(value);
                return;
            case TpmCap.TpmProperties:
                writer.WriteUInt32((uint)(Values.Count / 2));
                foreach (var value in Values) writer.WriteUInt32(value);
                return;
            case TpmCap.Algs:
                writer.WriteUInt32((uint)(Values.Count / 2));
                for (var i = 0; i + 1 < Values.Count; i += 2)
                {
                    writer.WriteUInt16((ushort)Values[i]);
                    writer.WriteUInt32(Values[i + 1]);
                }
                return;
            case TpmCap.EccCurves:
                writer.WriteUInt32((uint)Values.Count);
                foreach (var value in Values) writer.WriteUInt16((ushort)value);
                return;
            default:
                throw new TpmFormatException($"unsupported capability {Capability}");
        }
    }

    /// <inheritdoc/>
    public static TpmsCapabilityData ReadFrom(ref TpmReader reader)
    {
        var capability = (TpmCap)reader.ReadUInt32();
        if (capability == TpmCap.Pcrs) return new(capability, [], TpmlPcrSelection.ReadFrom(ref reader));
        // Check the selector before the count: an empty list of an unknown capability must not parse.
        if (capability is not (TpmCap.Handles or TpmCap.TpmProperties or TpmCap.Algs or TpmCap.EccCurves))
            throw new TpmFormatException($"unsupported capability {capability}");
        var count = reader.ReadUInt32();
        if (count > 1024) throw new TpmFormatException($"capability list count {count} is too large");
        var values = new List<uint>();
        for (var i = 0; i < count; i++)
        {
            switch (capability)
            {
                case TpmCap.Handles:
                    values.Add(reader.ReadUInt32());
                    break;
                case TpmCap.TpmProperties:
                    values.Add(reader.ReadUInt32());
                    values.Add(reader.ReadUInt32());
                    break;
                case TpmCap.Algs:
                    values.Add(reader.ReadUInt16());
                    values.Add(reader.ReadUInt32());
                    break;
                case TpmCap.EccCurves:
                    values.Add(reader.ReadUInt16());
                    break;
                default:
                    throw new TpmFormatException($"unsupported capability {capability}");
            }
        }
        return new(capability, values);
    }
}
