namespace IoTIdentity.Provisioning.Storage;

/// <summary>The outcome of checking a tenant's audit chain from entry 1 to its end.</summary>
/// <param name="IsValid">Whether every entry checked out.</param>
/// <param name="EntriesChecked">How many entries were examined, including the one that failed, if any.</param>
/// <param name="FirstBrokenSequence">The sequence number at which the chain first breaks (for a
/// <see cref="AuditChainFault.SequenceGap"/>, the sequence that was expected); <see langword="null"/> if valid.</param>
/// <param name="Fault">Why it breaks there; <see cref="AuditChainFault.None"/> if valid.</param>
/// <param name="Reason">A sentence for operators saying what was expected and what was found; <see langword="null"/>
/// if valid.</param>
public sealed record AuditChainVerification(
    bool IsValid,
    long EntriesChecked,
    long? FirstBrokenSequence,
    AuditChainFault Fault,
    string? Reason)
{
    internal static AuditChainVerification Valid(long entriesChecked) =>
        new(true, entriesChecked, null, AuditChainFault.None, null);

    internal static AuditChainVerification Broken(long entriesChecked, long sequence, AuditChainFault fault, string reason) =>
        new(false, entriesChecked, sequence, fault, reason);
}
