using IoTIdentity.Attestation.EventLog;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Types;
using Xunit.Sdk;

namespace IoTIdentity.Attestation.Tests.EventLog;

public sealed class EventLogFuzzTests
{
    [Fact]
    public void Five_thousand_mutations_of_a_valid_log_each_end_in_a_verdict_and_never_crash()
    {
        var log = SampleLogs.Boot(TpmAlgId.Sha1, TpmAlgId.Sha256);
        var quoted = EventLogReplay.Replay(EventLogParser.Parse(log));
        int verified = 0, refused = 0;

        for (var i = 0; i < 5000; i++)
        {
            var (mutated, description) = StructureFuzzer.Mutate(log, seed: 8, iteration: i);
            try
            {
                var result = EventLogVerifier.Verify(mutated, quoted, new EventLogLimits { MaxLogBytes = 4096, MaxEvents = 64, MaxEventBytes = 512 });
                Assert.All(result.VerifiedEvents, e => Assert.InRange(e.PcrIndex, 0, 23));
                verified++;
            }
            catch (EventLogException e)
            {
                Assert.True(Enum.IsDefined(e.Failure));
                refused++;
            }
            catch (Exception e)
            {
                throw new XunitException($"mutation {i} ({description}) threw {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(mutated)}");
            }
        }

        Assert.Equal(5000, verified + refused);
        Assert.True(refused > 2500, $"only {refused} of 5000 mutations were refused");
    }
}
