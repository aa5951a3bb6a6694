namespace IoTIdentity.Protocol.Management;

/// <summary>One link of a tenant's audit chain (<c>GET /api/v1/audit</c>, one line of its export).</summary>
/// <param name="TenantId">Whose log.</param>
/// <param name="Sequence">Its position (1, 2, …, gapless).</param>
/// <param name="Event">What it records.</param>
/// <param name="PreviousHash">The previous entry's hash (64 lowercase hex digits).</param>
/// <param name="Hash">This entry's hash.</param>
public sealed record AuditEntryView(string TenantId, long Sequence, AuditEventView Event, string PreviousHash, string Hash);
