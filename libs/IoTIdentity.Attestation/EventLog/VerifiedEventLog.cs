using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>An event log that replays to the quoted PCRs; only <see cref="EventLogVerifier"/> creates one.</summary>
public sealed class VerifiedEventLog
{
    internal VerifiedEventLog(TcgEventLog log, IReadOnlyList<PcrValue> replayed, IReadOnlyList<TcgEvent> verifiedEvents)
    {
        Log = log;
        Replayed = replayed;
        VerifiedEvents = verifiedEvents;
    }

    /// <summary>The whole parsed log.</summary>
    public TcgEventLog Log { get; }

    /// <summary>The replayed value of every bank and PCR the log extends, quoted or not.</summary>
    public IReadOnlyList<PcrValue> Replayed { get; }

    /// <summary>
    /// The extended records whose PCR was quoted in at least one of the record's banks, in log order: the
    /// measurements the quote vouches for. Records into PCRs that were not quoted prove nothing and are left out.
    /// </summary>
    public IReadOnlyList<TcgEvent> VerifiedEvents { get; }
}
