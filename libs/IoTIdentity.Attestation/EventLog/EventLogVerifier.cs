using System.Security.Cryptography;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// Verifies an event log against PCR values taken from a verified quote. Pure and offline. The checks, in order —
/// the first that fails is the reason:
/// <list type="number">
/// <item>the log parses within the limits (<see cref="EventLogParser"/> lists those reasons);</item>
/// <item><see cref="EventLogFailure.PcrMismatch"/>: for every quoted PCR, the log's replay equals the quoted value
/// — and a quoted PCR the log does not extend still holds its reset value, so nothing was measured unlogged.</item>
/// </list>
/// </summary>
public static class EventLogVerifier
{
    /// <summary>Runs every check; throws <see cref="EventLogException"/> with the first failure.</summary>
    public static VerifiedEventLog Verify(ReadOnlySpan<byte> log, IReadOnlyList<PcrValue> quoted, EventLogLimits? limits = null)
    {
        var parsed = EventLogParser.Parse(log, limits);
        var replayed = EventLogReplay.Replay(parsed);
        var byKey = replayed.ToDictionary(p => (p.Hash, p.Index), p => p.Digest);
        foreach (var pcr in quoted)
        {
            var expected = byKey.TryGetValue((pcr.Hash, pcr.Index), out var value) ? value : EventLogReplay.ResetValue(pcr.Hash, pcr.Index);
            if (!CryptographicOperations.FixedTimeEquals(expected, pcr.Digest))
                throw new EventLogException(EventLogFailure.PcrMismatch,
                    byKey.ContainsKey((pcr.Hash, pcr.Index))
                        ? $"PCR {pcr.Hash}:{pcr.Index} does not replay to the quoted value"
                        : $"PCR {pcr.Hash}:{pcr.Index} was extended but the log has no record of it");
        }
        var quotedKeys = quoted.Select(p => (p.Hash, p.Index)).ToHashSet();
        var verified = parsed.Events.Where(e => e.IsExtended && e.Digests.Any(d => quotedKeys.Contains((d.Hash, e.PcrIndex)))).ToList();
        return new VerifiedEventLog(parsed, replayed, verified);
    }
}
