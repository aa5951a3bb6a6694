using System.Buffers.Binary;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// Parses a TCG crypto-agile event log — PC Client Platform Firmware Profile, §10.2: a TCG_PCR_EVENT (SHA-1 format)
/// carrying the Spec ID event, then TCG_PCR_EVENT2 records. Every integer is little-endian (unlike TPM structures).
/// The checks, in order — the first that fails is the reason:
/// <list type="number">
/// <item><see cref="EventLogFailure.TooLarge"/>: the log is at most <see cref="EventLogLimits.MaxLogBytes"/>;</item>
/// <item><see cref="EventLogFailure.SpecIdEvent"/>: the first record is EV_NO_ACTION in PCR 0 with a zero SHA-1
/// digest and a well-formed "Spec ID Event03" (spec version 2, at least one algorithm);</item>
/// <item><see cref="EventLogFailure.UnknownAlgorithm"/>, <see cref="EventLogFailure.DigestSize"/>: each of its
/// algorithms is SHA-1/256/384/512, listed once, with the algorithm's size;</item>
/// <item>for each later record: <see cref="EventLogFailure.TooManyEvents"/>, <see cref="EventLogFailure.Truncated"/>,
/// <see cref="EventLogFailure.PcrIndex"/> (0–23), <see cref="EventLogFailure.DigestList"/> (exactly one digest per
/// algorithm of the Spec ID event), <see cref="EventLogFailure.EventTooLarge"/>.</item>
/// </list>
/// It never reads past the buffer, reads each byte once, and allocates at most about the log's size.
/// </summary>
public static class EventLogParser
{
    /// <summary>The highest PCR index of a PC Client TPM.</summary>
    public const int MaxPcrIndex = 23;

    private const int Sha1Size = 20;

    /// <summary>Parses <paramref name="log"/>; throws <see cref="EventLogException"/> with the first failure.</summary>
    public static TcgEventLog Parse(ReadOnlySpan<byte> log, EventLogLimits? limits = null)
    {
        limits ??= EventLogLimits.Default;
        if (log.Length > limits.MaxLogBytes)
            throw new EventLogException(EventLogFailure.TooLarge, $"event log of {log.Length} bytes exceeds {limits.MaxLogBytes}");
        var reader = new Reader(log);
        var specId = ReadSpecIdRecord(ref reader, limits);
        var events = new List<TcgEvent>();
        while (!reader.AtEnd)
        {
            if (events.Count + 1 >= limits.MaxEvents)
                throw new EventLogException(EventLogFailure.TooManyEvents, $"event log has more than {limits.MaxEvents} records");
            events.Add(ReadEvent2(ref reader, specId, events.Count + 1, limits));
        }
        return new TcgEventLog(specId, events, log.ToArray());
    }

    private static SpecIdEvent ReadSpecIdRecord(ref Reader reader, EventLogLimits limits)
    {
        // TCG_PCR_EVENT: pcrIndex, eventType, digest[20], eventDataSize, event
        if (reader.Remaining < 32) throw new EventLogException(EventLogFailure.SpecIdEvent, "log shorter than a TCG_PCR_EVENT header");
        var pcr = reader.UInt32();
        var type = reader.UInt32();
        var digest = reader.Bytes(Sha1Size);
        var size = reader.UInt32();
        if (pcr != 0 || type != (uint)TcgEventType.NoAction || digest.IndexOfAnyExcept((byte)0) >= 0)
            throw new EventLogException(EventLogFailure.SpecIdEvent, "first record is not an EV_NO_ACTION header event (a SHA-1-only log?)");
        if (size > limits.MaxEventBytes) throw new EventLogException(EventLogFailure.EventTooLarge, $"Spec ID event of {size} bytes");
        if (size > reader.Remaining) throw new EventLogException(EventLogFailure.Truncated, "log ends inside the Spec ID event");
        var data = new Reader(reader.Bytes((int)size));

        // TCG_EfiSpecIDEvent: signature[16], platformClass, minor, major, errata, uintnSize, numberOfAlgorithms, digestSizes, vendorInfoSize, vendorInfo
        if (data.Remaining < 28 || !data.Bytes(16).SequenceEqual(SpecIdEvent.Signature))
            throw new EventLogException(EventLogFailure.SpecIdEvent, "header event is not \"Spec ID Event03\"");
        var platformClass = data.UInt32();
        var minor = data.Byte();
        var major = data.Byte();
        var errata = data.Byte();
        var uintn = data.Byte();
        var count = data.UInt32();
        if (major != 2) throw new EventLogException(EventLogFailure.SpecIdEvent, $"spec version {major}.{minor} is not 2.x");
        if (count == 0 || count > 8 || data.Remaining < count * 4 + 1)
            throw new EventLogException(EventLogFailure.SpecIdEvent, $"Spec ID event lists {count} algorithms");
        var algorithms = new List<TpmAlgId>((int)count);
        for (var i = 0; i < count; i++)
        {
            var alg = (TpmAlgId)data.UInt16();
            var digestSize = data.UInt16();
            if (!TpmHash.IsHash(alg)) throw new EventLogException(EventLogFailure.UnknownAlgorithm, $"digest algorithm 0x{(ushort)alg:X4} is not supported");
            if (TpmHash.DigestSize(alg) != digestSize) throw new EventLogException(EventLogFailure.DigestSize, $"{alg} listed with size {digestSize}");
            if (algorithms.Contains(alg)) throw new EventLogException(EventLogFailure.SpecIdEvent, $"{alg} listed twice");
            algorithms.Add(alg);
        }
        var vendorSize = data.Byte();
        if (data.Remaining != vendorSize) throw new EventLogException(EventLogFailure.SpecIdEvent, "vendorInfoSize does not match the event size");
        var vendor = data.Bytes(vendorSize).ToArray();
        return new SpecIdEvent(platformClass, major, minor, errata, uintn, algorithms, vendor);
    }

    private static TcgEvent ReadEvent2(ref Reader reader, SpecIdEvent specId, int sequence, EventLogLimits limits)
    {
        // TCG_PCR_EVENT2: pcrIndex, eventType, TPML_DIGEST_VALUES, eventSize, event
        if (reader.Remaining < 12) throw new EventLogException(EventLogFailure.Truncated, $"log ends inside record {sequence}'s header");
        var pcr = reader.UInt32();
        var type = reader.UInt32();
        var count = reader.UInt32();
        if (pcr > MaxPcrIndex) throw new EventLogException(EventLogFailure.PcrIndex, $"record {sequence} names PCR {pcr}");
        if (count != specId.Algorithms.Count)
            throw new EventLogException(EventLogFailure.DigestList, $"record {sequence} has {count} digests, the log {specId.Algorithms.Count} banks");
        var digests = new TpmtHa[count];
        for (var i = 0; i < count; i++)
        {
            if (reader.Remaining < 2) throw new EventLogException(EventLogFailure.Truncated, $"log ends inside record {sequence}'s digests");
            var alg = (TpmAlgId)reader.UInt16();
            if (!TpmHash.IsHash(alg)) throw new EventLogException(EventLogFailure.UnknownAlgorithm, $"record {sequence}: digest algorithm 0x{(ushort)alg:X4}");
            if (!specId.Algorithms.Contains(alg) || Array.Exists(digests, d => d is not null && d.Hash == alg))
                throw new EventLogException(EventLogFailure.DigestList, $"record {sequence}: {alg} is not one of the log's banks, once");
            var size = TpmHash.DigestSize(alg);
            if (reader.Remaining < size) throw new EventLogException(EventLogFailure.Truncated, $"log ends inside record {sequence}'s {alg} digest");
            digests[i] = new TpmtHa(alg, reader.Bytes(size).ToArray());
        }
        if (reader.Remaining < 4) throw new EventLogException(EventLogFailure.Truncated, $"log ends before record {sequence}'s event size");
        var eventSize = reader.UInt32();
        if (eventSize > limits.MaxEventBytes) throw new EventLogException(EventLogFailure.EventTooLarge, $"record {sequence} carries {eventSize} bytes");
        if (eventSize > reader.Remaining) throw new EventLogException(EventLogFailure.Truncated, $"log ends inside record {sequence}'s event data");
        var data = reader.Bytes((int)eventSize).ToArray();
        return new TcgEvent(sequence, (int)pcr, (TcgEventType)type, digests, data);
    }

    /// <summary>A little-endian reader whose callers check <see cref="Remaining"/> first; it still never over-reads.</summary>
    private ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        private ReadOnlySpan<byte> rest = buffer;

        public readonly int Remaining => rest.Length;
        public readonly bool AtEnd => rest.IsEmpty;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if ((uint)count > (uint)rest.Length) throw new EventLogException(EventLogFailure.Truncated, "event log truncated");
            var taken = rest[..count];
            rest = rest[count..];
            return taken;
        }

        public byte Byte() => Bytes(1)[0];
        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));
        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
    }
}
