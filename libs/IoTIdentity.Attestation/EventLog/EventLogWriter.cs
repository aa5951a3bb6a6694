using System.Buffers.Binary;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// Writes a TCG crypto-agile event log in the format <see cref="EventLogParser"/> reads (PC Client Platform Firmware
/// Profile, §10.2): the Spec ID event for the given banks, then one TCG_PCR_EVENT2 per measurement. A device's boot
/// chain uses it to record what it extends into its PCRs.
/// </summary>
public sealed class EventLogWriter
{
    private readonly MemoryStream buffer = new();
    private readonly IReadOnlyList<TpmAlgId> banks;

    /// <summary>Starts a log whose records carry one digest per bank of <paramref name="banks"/>, in that order.</summary>
    public EventLogWriter(IReadOnlyList<TpmAlgId> banks)
    {
        if (banks.Count == 0 || banks.Distinct().Count() != banks.Count || !banks.All(TpmHash.IsHash))
            throw new ArgumentException("banks must be distinct supported hash algorithms, at least one", nameof(banks));
        this.banks = banks.ToArray();
        WriteSpecIdEvent();
    }

    /// <summary>The banks every record carries.</summary>
    public IReadOnlyList<TpmAlgId> Banks => banks;

    /// <summary>
    /// Records a measurement of <paramref name="measured"/> into <paramref name="pcr"/>: its digest in every bank,
    /// with <paramref name="eventData"/> as the event. Returns the digests, which the caller extends into the TPM.
    /// </summary>
    public IReadOnlyList<TpmtHa> AddMeasurement(int pcr, TcgEventType type, ReadOnlySpan<byte> measured, ReadOnlySpan<byte> eventData)
    {
        var digests = new List<TpmtHa>(banks.Count);
        foreach (var bank in banks) digests.Add(new TpmtHa(bank, TpmHash.Hash(bank, measured)));
        AddDigests(pcr, type, digests, eventData);
        return digests;
    }

    /// <summary>Records an event with the given digests, one per bank in <see cref="Banks"/> order (or any digests, to craft bad logs).</summary>
    public void AddDigests(int pcr, TcgEventType type, IReadOnlyList<TpmtHa> digests, ReadOnlySpan<byte> eventData)
    {
        WriteUInt32((uint)pcr);
        WriteUInt32((uint)type);
        WriteUInt32((uint)digests.Count);
        foreach (var digest in digests)
        {
            WriteUInt16((ushort)digest.Hash);
            buffer.Write(digest.Digest);
        }
        WriteUInt32((uint)eventData.Length);
        buffer.Write(eventData);
    }

    /// <summary>The log written so far.</summary>
    public byte[] ToArray() => buffer.ToArray();

    private void WriteSpecIdEvent()
    {
        var spec = new MemoryStream();
        spec.Write(SpecIdEvent.Signature);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, 0); // platformClass: client
        spec.Write(word);
        spec.Write([0, 2, 0, 2]); // specVersionMinor 0, specVersionMajor 2, specErrata 0, uintnSize 2 (UINT64)
        BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)banks.Count);
        spec.Write(word);
        foreach (var bank in banks)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)bank);
            BinaryPrimitives.WriteUInt16LittleEndian(word[2..], (ushort)TpmHash.DigestSize(bank));
            spec.Write(word);
        }
        spec.WriteByte(0); // vendorInfoSize
        WriteUInt32(0);
        WriteUInt32((uint)TcgEventType.NoAction);
        buffer.Write(new byte[20]);
        WriteUInt32((uint)spec.Length);
        buffer.Write(spec.GetBuffer().AsSpan(0, (int)spec.Length));
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        buffer.Write(bytes);
    }

    private void WriteUInt16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        buffer.Write(bytes);
    }
}
