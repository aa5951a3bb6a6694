using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>TPMS_CLOCK_INFO — Part 2, §10.11.1.</summary>
public sealed record TpmsClockInfo(ulong Clock, uint ResetCount, uint RestartCount, bool Safe) : ITpmStructure<TpmsClockInfo>
{
    /// <inheritdoc/>
    public void WriteTo(ref TpmWriter writer)
    {
        writer.WriteUInt64(Clock);
        writer.WriteUInt32(ResetCount);
        writer.WriteUInt32(RestartCount);
        writer.WriteBool(Safe);
    }

    /// <inheritdoc/>
    public static TpmsClockInfo ReadFrom(ref TpmReader reader) =>
        new(reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadBool());
}
