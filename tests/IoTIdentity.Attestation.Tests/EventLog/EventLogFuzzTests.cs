using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Types;
using Xunit.Sdk;

namespace IoTIdentity.Attestation.Tests.EventLog;

public sealed class EventLogFuzzTests
{
    [Fact]
    public void Five_thousand_mutations_of_a_valid_log_each_end_in_a_verdict_of_the_verifier_and_the_firmware_policy()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha1, TpmAlgId.Sha256);
        var parsed = EventLogParser.Parse(log);
        var quoted = EventLogReplay.Replay(parsed);
        var components = parsed.Events.Select(e => new FirmwareComponent(e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "", e.PcrIndex,
            (uint)e.EventType, Convert.ToHexStringLower(e.Digests.Single(d => d.Hash == TpmAlgId.Sha256).Digest))).ToList();
        FirmwareManifest[] allowed = [new("acme", "1", components, FirmwareManifest.ComputeExpectedPcrs(components))];
        var verdicts = new Dictionary<string, int>();

        for (var i = 0; i < 5000; i++)
        {
            var (mutated, description) = StructureFuzzer.Mutate(log, seed: 8, iteration: i);
            string verdict;
            try
            {
                var result = EventLogVerifier.Verify(mutated, quoted, new EventLogLimits { MaxLogBytes = 4096, MaxEvents = 64, MaxEventBytes = 512 });
                if (result.VerifiedEvents.Any(e => e.PcrIndex is < 0 or > 23)) throw new InvalidOperationException("PCR index out of range");
                verdict = "allowed " + FirmwarePolicy.Match(result, allowed).Release;
            }
            catch (EventLogException e) when (Enum.IsDefined(e.Failure))
            {
                verdict = e.Failure.ToString();
            }
            catch (Exception e)
            {
                throw new XunitException($"mutation {i} ({description}) threw {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(mutated)}");
            }
            verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
        }

        Assert.Equal(5000, verdicts.Values.Sum());
        Assert.True(verdicts.GetValueOrDefault("allowed acme 1") < 500, string.Join(", ", verdicts));
        Assert.True(verdicts.Count >= 4, $"the mutations reached only {string.Join(", ", verdicts)}");
    }

    [Fact]
    public void The_unmutated_sample_is_allowed()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha1, TpmAlgId.Sha256);
        var parsed = EventLogParser.Parse(log);
        var components = parsed.Events.Select(e => new FirmwareComponent("c", "", e.PcrIndex, (uint)e.EventType,
            Convert.ToHexStringLower(e.Digests.Single(d => d.Hash == TpmAlgId.Sha256).Digest))).ToList();

        var release = FirmwarePolicy.Match(EventLogVerifier.Verify(log, EventLogReplay.Replay(parsed)), [new("acme", "1", components, new Dictionary<int, string>())]);

        Assert.Equal("acme 1", release.Release);
    }
}
