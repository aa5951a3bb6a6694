namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>How many of something a report counts under one name (devices in a state, revocations for a reason).</summary>
public sealed record ReportCount(string Name, int Count);
