namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>A monitoring finding seen in the period, with what the service did on its own.</summary>
public sealed record ReportFinding(
    string Id, string Kind, string Severity, string State, int Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    string Remediation, IReadOnlyList<string> Devices, IReadOnlyList<long> AuditSequences);
