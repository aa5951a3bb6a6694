namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>A signed checkpoint of the audit log (<c>GET /api/v1/audit/checkpoint</c>) as the report carries it.</summary>
public sealed record ReportCheckpoint(long Size, string HeadHash, DateTimeOffset At, string KeyId, string Signature);
