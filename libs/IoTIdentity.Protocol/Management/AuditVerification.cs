namespace IoTIdentity.Protocol.Management;

/// <summary>The result of checking a tenant's audit chain (<c>GET /api/v1/audit/verify</c>).</summary>
/// <param name="IsValid">Whether every entry checked out.</param>
/// <param name="EntriesChecked">How many entries were examined, including the one that failed, if any.</param>
/// <param name="FirstBrokenSequence">Where the chain first breaks; null when valid.</param>
/// <param name="Fault">None, WrongTenant, SequenceGap, PreviousHashMismatch or HashMismatch.</param>
/// <param name="Reason">The failure in words; null when valid.</param>
public sealed record AuditVerification(bool IsValid, long EntriesChecked, long? FirstBrokenSequence, string? Fault, string? Reason);
