namespace IoTIdentity.Attestation.EventLog;

/// <summary>Why an event log was refused. A closed list: every parser and verifier failure is one of these.</summary>
public enum EventLogFailure
{
    /// <summary>The log is larger than <see cref="EventLogLimits.MaxLogBytes"/>.</summary>
    TooLarge = 1,
    /// <summary>The log ends inside a record (a header, a digest or the event data).</summary>
    Truncated,
    /// <summary>The log has more records than <see cref="EventLogLimits.MaxEvents"/>.</summary>
    TooManyEvents,
    /// <summary>One event's data is larger than <see cref="EventLogLimits.MaxEventBytes"/>.</summary>
    EventTooLarge,
    /// <summary>The first record is not a TCG_PCR_EVENT carrying a valid "Spec ID Event03" (a SHA-1 log, or garbage).</summary>
    SpecIdEvent,
    /// <summary>The Spec ID event or an event names a digest algorithm this verifier does not implement.</summary>
    UnknownAlgorithm,
    /// <summary>A digest size in the Spec ID event is not the algorithm's size.</summary>
    DigestSize,
    /// <summary>An event's TPML_DIGEST_VALUES is not exactly one digest per algorithm the Spec ID event lists.</summary>
    DigestList,
    /// <summary>An event extends a PCR index outside 0–23.</summary>
    PcrIndex,
    /// <summary>A replayed PCR the log covers is not the value the TPM quoted.</summary>
    PcrMismatch,
    /// <summary>The verified measurements are not exactly the components of one allowed firmware release.</summary>
    MeasurementNotAllowed,
}
