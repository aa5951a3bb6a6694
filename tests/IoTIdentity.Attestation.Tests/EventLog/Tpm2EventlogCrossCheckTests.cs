using IoTIdentity.Attestation.EventLog;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.EventLog;

/// <summary>
/// tpm2-tools' <c>tpm2_eventlog</c> is an independent parser and replayer: it must read a log our writer produced
/// and print, in its "pcrs:" section, the same values our replay computes.
/// </summary>
public sealed class Tpm2EventlogCrossCheckTests
{
    [Fact]
    public void Tpm2_eventlog_replays_a_log_we_wrote_to_the_PCR_values_we_compute()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha1, TpmAlgId.Sha256);
        var ours = EventLogReplay.Replay(EventLogParser.Parse(log));

        var theirs = Tpm2Eventlog.ReplayPcrs(log);

        Assert.Equal(6, ours.Count);
        foreach (var pcr in ours)
        {
            var bank = pcr.Hash.ToString().ToLowerInvariant();
            Assert.True(theirs.TryGetValue((bank, pcr.Index), out var value), $"tpm2_eventlog printed no {bank}:{pcr.Index}");
            Assert.Equal(Convert.ToHexStringLower(pcr.Digest), value);
        }
    }

    [Fact]
    public void Tpm2_eventlog_reads_every_event_of_a_SHA256_only_log()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha256);
        var ours = EventLogReplay.Replay(EventLogParser.Parse(log));

        var theirs = Tpm2Eventlog.ReplayPcrs(log);

        Assert.All(ours, pcr => Assert.Equal(Convert.ToHexStringLower(pcr.Digest), theirs[("sha256", pcr.Index)]));
    }
}
