namespace IoTIdentity.Attestation.EventLog;

/// <summary>A parsed crypto-agile event log: its header, its records, and the bytes it was parsed from.</summary>
public sealed class TcgEventLog
{
    internal TcgEventLog(SpecIdEvent specId, IReadOnlyList<TcgEvent> events, byte[] raw)
    {
        SpecId = specId;
        Events = events;
        Raw = raw;
    }

    /// <summary>The Spec ID event: the log's banks.</summary>
    public SpecIdEvent SpecId { get; }

    /// <summary>The TCG_PCR_EVENT2 records after the Spec ID event, in log order.</summary>
    public IReadOnlyList<TcgEvent> Events { get; }

    /// <summary>The log exactly as received.</summary>
    public byte[] Raw { get; }
}
