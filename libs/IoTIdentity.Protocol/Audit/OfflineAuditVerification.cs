namespace IoTIdentity.Protocol.Audit;

/// <summary>The outcome of checking an exported audit log against a signed checkpoint.</summary>
/// <param name="IsValid">Whether the export holds the checkpointed log, unaltered.</param>
/// <param name="EntriesChecked">How many entries were read, including the one that failed.</param>
/// <param name="Sequence">Where it first fails (the sequence expected there); null when valid or when the checkpoint
/// itself fails.</param>
/// <param name="Tampering">What was found; <see cref="AuditTampering.None"/> when valid.</param>
/// <param name="Reason">A sentence saying what was expected and found; null when valid.</param>
/// <param name="EntriesAfterCheckpoint">Entries past the checkpoint's size that chain on from it (appended later; the
/// checkpoint does not vouch for them).</param>
public sealed record OfflineAuditVerification(bool IsValid, long EntriesChecked, long? Sequence, AuditTampering Tampering, string? Reason,
    long EntriesAfterCheckpoint)
{
    internal static OfflineAuditVerification Failed(long checkedCount, long? sequence, AuditTampering tampering, string reason) =>
        new(false, checkedCount, sequence, tampering, reason, 0);
}
