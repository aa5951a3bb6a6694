// The audit shapes of the management API (the storage library's AuditEntry, AuditEvent, AuditChainVerification).
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>What an audit entry records.</summary>
/// <param name="Action">What was attempted.</param>
/// <param name="Subject">What it was done to.</param>
/// <param name="Outcome">"allowed" or "refused:&lt;reason&gt;".</param>
/// <param name="EvidenceDigest">SHA-256 of the evidence, when there was any.</param>
/// <param name="Actor">Who did it.</param>
/// <param name="At">When.</param>
public sealed record AuditEventView(string Action, string Subject, string Outcome, string? EvidenceDigest, string Actor, DateTimeOffset At);

/// <summary>One link of a tenant's audit chain.</summary>
/// <param name="TenantId">Whose log.</param>
/// <param name="Sequence">Its position (1, 2, …).</param>
/// <param name="Event">What it records.</param>
/// <param name="PreviousHash">The previous entry's hash.</param>
/// <param name="Hash">This entry's hash.</param>
public sealed record AuditEntryView(string TenantId, long Sequence, AuditEventView Event, string PreviousHash, string Hash);

/// <summary>The result of checking a tenant's audit chain.</summary>
/// <param name="IsValid">Whether it verified.</param>
/// <param name="EntriesChecked">How many entries were checked.</param>
/// <param name="FirstBrokenSequence">The first entry that failed.</param>
/// <param name="Fault">What failed (None when valid).</param>
/// <param name="Reason">The failure in words.</param>
public sealed record AuditVerification(bool IsValid, long EntriesChecked, long? FirstBrokenSequence, string? Fault, string? Reason);
