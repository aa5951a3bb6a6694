namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>An API key that existed at the period's end (never its secret): its role, and whether it was revoked by then.</summary>
public sealed record ReportApiKey(string KeyId, string? Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
