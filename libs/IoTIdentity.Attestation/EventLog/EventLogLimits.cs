namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// Hard bounds on an event log received from a device. They bound the parser's time and memory: it reads each byte
/// at most once, allocates at most the log's size, and stops at the first bound crossed.
/// </summary>
public sealed record EventLogLimits
{
    /// <summary>The defaults: 1 MiB, 4096 records, 64 KiB per event (a PC firmware log is typically 20–100 KiB).</summary>
    public static EventLogLimits Default { get; } = new();

    /// <summary>The largest log accepted, in bytes.</summary>
    public int MaxLogBytes { get; init; } = 1 << 20;

    /// <summary>The most records accepted, the Spec ID event included.</summary>
    public int MaxEvents { get; init; } = 4096;

    /// <summary>The largest event data accepted for one record, in bytes.</summary>
    public int MaxEventBytes { get; init; } = 64 * 1024;
}
