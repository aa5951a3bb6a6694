using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.Attestation.EventLog;

/// <summary>
/// One TCG_PCR_EVENT2 record — PC Client Platform Firmware Profile, §10.2.2: the PCR, the event type, one digest
/// per bank of the log, and the event data (whose meaning depends on the type; for most types the digest is not
/// the hash of this data, so a verifier checks the digests, not the data).
/// </summary>
/// <param name="Sequence">The record's position in the log, the Spec ID event being 0.</param>
/// <param name="PcrIndex">pcrIndex.</param>
/// <param name="EventType">eventType.</param>
/// <param name="Digests">digests, in the order the log carries them.</param>
/// <param name="Data">event.</param>
public sealed record TcgEvent(int Sequence, int PcrIndex, TcgEventType EventType, IReadOnlyList<TpmtHa> Digests, byte[] Data)
{
    /// <summary>Whether the record is extended into its PCR (everything but EV_NO_ACTION).</summary>
    public bool IsExtended => EventType != TcgEventType.NoAction;
}
