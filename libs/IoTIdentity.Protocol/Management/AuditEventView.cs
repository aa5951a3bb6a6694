namespace IoTIdentity.Protocol.Management;

/// <summary>What an audit entry records.</summary>
/// <param name="Action">What was attempted (enrol, renew, revoke, transfer, …).</param>
/// <param name="Subject">What it was done to, usually a device id.</param>
/// <param name="Outcome"><c>allowed</c> or <c>refused:&lt;reason&gt;</c>.</param>
/// <param name="EvidenceDigest">SHA-256 of the evidence (64 hex digits), when there was any.</param>
/// <param name="Actor">Who did it: a device id, an API key id, or <c>system</c>.</param>
/// <param name="At">When.</param>
/// <param name="Details">Further facts (firmware version, certificate serial, …); null when none.</param>
public sealed record AuditEventView(string Action, string Subject, string Outcome, string? EvidenceDigest, string Actor, DateTimeOffset At,
    IReadOnlyDictionary<string, string>? Details = null);
