using System.Security.Cryptography;
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

    /// <summary>
    /// tpm2-tools before 5.6 extend EV_NO_ACTION records and know no StartupLocality (tpm2-tools issue #3224, fixed by
    /// PRs #3230 and #3242); Debian's 5.4 does. Our replay follows the profile (§10.4.5.3); this accepts the fixed
    /// tool's answer, or exactly the old tool's, so the divergence is pinned down rather than hidden.
    /// </summary>
    [Fact]
    public void Tpm2_eventlog_and_our_replay_agree_on_a_PCR_0_that_starts_at_locality_3_up_to_the_known_tpm2_tools_bug()
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        writer.AddDigests(0, TcgEventType.NoAction, [new(TpmAlgId.Sha256, new byte[32])], [.. "StartupLocality\0"u8, 3]);
        writer.AddMeasurement(0, TcgEventType.SCrtmVersion, "1.0"u8, "1.0"u8);
        var log = writer.ToArray();

        var theirs = Tpm2Eventlog.ReplayPcrs(log);

        var ours = Convert.ToHexStringLower(EventLogReplay.Replay(EventLogParser.Parse(log)).Single().Digest);
        var zero = new byte[32];
        var oldTool = Convert.ToHexStringLower(SHA256.HashData([.. SHA256.HashData([.. zero, .. zero]), .. SHA256.HashData("1.0"u8)]));
        Assert.Contains(theirs[("sha256", 0)], new[] { ours, oldTool });
        Assert.NotEqual(ours, oldTool);
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
