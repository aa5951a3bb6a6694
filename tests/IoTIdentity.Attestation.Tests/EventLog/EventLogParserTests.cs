using System.Buffers.Binary;
using System.Security.Cryptography;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.EventLog;

public sealed class EventLogParserTests
{
    [Fact]
    public void A_written_log_parses_back_to_the_same_records()
    {
        var log = SampleLogs.Boot();

        var parsed = EventLogParser.Parse(log);

        Assert.Equal([TpmAlgId.Sha1, TpmAlgId.Sha256], parsed.SpecId.Algorithms);
        Assert.Equal(4, parsed.Events.Count);
        Assert.Equal([0, 4, 4, 9], parsed.Events.Select(e => e.PcrIndex));
        Assert.Equal(SHA256.HashData("acme kernel v1"u8), parsed.Events[2].Digests.Single(d => d.Hash == TpmAlgId.Sha256).Digest);
        Assert.Equal("kernel"u8.ToArray(), parsed.Events[2].Data);
        Assert.Equal(log, parsed.Raw);
    }

    [Fact]
    public void Replay_extends_each_bank_from_zeros_and_skips_EV_NO_ACTION()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddMeasurement(4, TcgEventType.Ipl, "a"u8, []);
        writer.AddMeasurement(4, TcgEventType.NoAction, "ignored"u8, []);
        writer.AddMeasurement(4, TcgEventType.Ipl, "b"u8, []);

        var replayed = EventLogReplay.Replay(EventLogParser.Parse(writer.ToArray())).Single();

        var expected = SHA256.HashData([.. SHA256.HashData([.. new byte[32], .. SHA256.HashData("a"u8)]), .. SHA256.HashData("b"u8)]);
        Assert.Equal((TpmAlgId.Sha256, 4), (replayed.Hash, replayed.Index));
        Assert.Equal(expected, replayed.Digest);
    }

    [Fact]
    public void Replay_starts_PCR_0_at_the_StartupLocality()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddDigests(0, TcgEventType.NoAction, [new TpmtHa(TpmAlgId.Sha256, new byte[32])], [.. "StartupLocality\0"u8, 3]);
        writer.AddMeasurement(0, TcgEventType.SCrtmVersion, "v"u8, []);

        var replayed = EventLogReplay.Replay(EventLogParser.Parse(writer.ToArray())).Single();

        var start = new byte[32];
        start[^1] = 3;
        Assert.Equal(SHA256.HashData([.. start, .. SHA256.HashData("v"u8)]), replayed.Digest);
    }

    [Fact]
    public void A_log_larger_than_the_limit_is_refused_as_TooLarge() =>
        AssertRefused(EventLogFailure.TooLarge, SampleLogs.Boot(), new EventLogLimits { MaxLogBytes = 100 });

    [Fact]
    public void A_log_cut_anywhere_inside_a_record_is_refused_as_Truncated()
    {
        var log = SampleLogs.Boot();
        for (var length = 33; length < log.Length; length++)
        {
            var cut = log[..length];
            if (IsRecordBoundary(log, length)) Assert.Null(Record.Exception(() => EventLogParser.Parse(cut)));
            else AssertRefused(EventLogFailure.Truncated, cut);
        }
    }

    [Fact]
    public void A_log_with_more_records_than_the_limit_is_refused_as_TooManyEvents() =>
        AssertRefused(EventLogFailure.TooManyEvents, SampleLogs.Boot(), new EventLogLimits { MaxEvents = 3 });

    [Fact]
    public void An_event_larger_than_the_limit_is_refused_as_EventTooLarge()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddMeasurement(4, TcgEventType.Ipl, "x"u8, new byte[2000]);

        AssertRefused(EventLogFailure.EventTooLarge, writer.ToArray(), new EventLogLimits { MaxEventBytes = 1000 });
    }

    [Fact]
    public void A_SHA1_format_log_without_the_Spec_ID_event_is_refused_as_SpecIdEvent()
    {
        var log = SampleLogs.Boot();
        log[4] = 0x0D; // first record's eventType: EV_IPL instead of EV_NO_ACTION

        AssertRefused(EventLogFailure.SpecIdEvent, log);
    }

    [Fact]
    public void A_wrong_Spec_ID_signature_is_refused_as_SpecIdEvent()
    {
        var log = SampleLogs.Boot();
        log[32 + 14] = (byte)'4'; // "Spec ID Event04"

        AssertRefused(EventLogFailure.SpecIdEvent, log);
    }

    [Fact]
    public void An_unknown_algorithm_in_the_Spec_ID_event_is_refused_as_UnknownAlgorithm()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        BinaryPrimitives.WriteUInt16LittleEndian(log.AsSpan(32 + 28), 0x0012); // TPM_ALG_SM3_256

        AssertRefused(EventLogFailure.UnknownAlgorithm, log);
    }

    [Fact]
    public void A_wrong_digest_size_in_the_Spec_ID_event_is_refused_as_DigestSize()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        BinaryPrimitives.WriteUInt16LittleEndian(log.AsSpan(32 + 30), 20);

        AssertRefused(EventLogFailure.DigestSize, log);
    }

    [Fact]
    public void An_event_missing_a_bank_is_refused_as_DigestList()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha1, TpmAlgId.Sha256]);
        writer.AddDigests(4, TcgEventType.Ipl, [new TpmtHa(TpmAlgId.Sha256, new byte[32])], []);

        AssertRefused(EventLogFailure.DigestList, writer.ToArray());
    }

    [Fact]
    public void An_event_with_an_unknown_algorithm_is_refused_as_UnknownAlgorithm()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddDigests(4, TcgEventType.Ipl, [new TpmtHa((TpmAlgId)0x0012, new byte[32])], []);

        AssertRefused(EventLogFailure.UnknownAlgorithm, writer.ToArray());
    }

    [Fact]
    public void An_event_into_PCR_24_is_refused_as_PcrIndex()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddMeasurement(24, TcgEventType.Ipl, "x"u8, []);

        AssertRefused(EventLogFailure.PcrIndex, writer.ToArray());
    }

    [Fact]
    public void A_huge_declared_event_size_is_refused_without_allocating_it()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddMeasurement(4, TcgEventType.Ipl, "x"u8, "abc"u8);
        var log = writer.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(log.AsSpan(log.Length - 7), uint.MaxValue);

        AssertRefused(EventLogFailure.EventTooLarge, log);
    }

    [Fact]
    public void A_log_at_every_limit_parses_and_replays_and_one_event_more_is_refused()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512]);
        var limits = EventLogLimits.Default;
        for (var i = 1; i < limits.MaxEvents; i++) writer.AddMeasurement(i % 24, TcgEventType.Ipl, BitConverter.GetBytes(i), new byte[60]); // 248 bytes a record: just under 1 MiB
        var log = writer.ToArray();
        var replayed = EventLogReplay.Replay(EventLogParser.Parse(log, limits));

        Assert.Equal(4 * 24, replayed.Count);
        writer.AddMeasurement(0, TcgEventType.Ipl, "one too many"u8, []);
        AssertRefused(EventLogFailure.TooManyEvents, writer.ToArray(), limits);
    }

    internal static void AssertRefused(EventLogFailure failure, byte[] log, EventLogLimits? limits = null)
    {
        var e = Assert.Throws<EventLogException>(() => EventLogParser.Parse(log, limits));
        Assert.Equal(failure, e.Failure);
    }

    private static bool IsRecordBoundary(byte[] log, int length)
    {
        var offset = 32 + BinaryPrimitives.ReadInt32LittleEndian(log.AsSpan(28));
        var banks = EventLogParser.Parse(log).SpecId.Algorithms;
        while (offset < length)
        {
            offset += 12;
            foreach (var bank in banks) offset += 2 + TpmHash.DigestSize(bank);
            offset += 4 + BinaryPrimitives.ReadInt32LittleEndian(log.AsSpan(offset));
        }
        return offset == length;
    }
}
