using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.EventLog;

public sealed class EventLogVerifierTests
{
    [Fact]
    public void A_log_that_replays_to_the_quoted_PCRs_verifies_and_keeps_only_the_quoted_events()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        var replayed = EventLogReplay.Replay(EventLogParser.Parse(log));
        var quoted = replayed.Where(p => p.Index is 0 or 4).Append(new PcrValue(TpmAlgId.Sha256, 7, new byte[32])).ToList();

        var verified = EventLogVerifier.Verify(log, quoted);

        Assert.Equal([0, 4, 4], verified.VerifiedEvents.Select(e => e.PcrIndex));
        Assert.Equal(3, verified.Replayed.Count);
    }

    [Fact]
    public void A_quoted_PCR_that_differs_from_the_replay_is_refused_as_PcrMismatch()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        var quoted = EventLogReplay.Replay(EventLogParser.Parse(log)).ToList();
        quoted[1] = quoted[1] with { Digest = [.. quoted[1].Digest.Select(b => (byte)~b)] };

        var e = Assert.Throws<EventLogException>(() => EventLogVerifier.Verify(log, quoted));

        Assert.Equal(EventLogFailure.PcrMismatch, e.Failure);
    }

    [Fact]
    public void A_quoted_PCR_the_log_does_not_cover_must_hold_its_reset_value()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        var quoted = EventLogReplay.Replay(EventLogParser.Parse(log)).Append(new PcrValue(TpmAlgId.Sha256, 7, [.. new byte[31], 1])).ToList();

        var e = Assert.Throws<EventLogException>(() => EventLogVerifier.Verify(log, quoted));

        Assert.Equal(EventLogFailure.PcrMismatch, e.Failure);
    }
}
