namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>One UTC day of the period: certificates issued, renewed and revoked, and requests refused.</summary>
public sealed record ReportDay(DateOnly Day, int Issued, int Renewed, int Revoked, int Refused);
