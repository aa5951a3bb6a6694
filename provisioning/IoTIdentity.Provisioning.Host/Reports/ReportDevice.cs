namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>One device as a report lists it (a non-compliant one, or one whose certificate expires soon).</summary>
public sealed record ReportDevice(string DeviceId, string State, string? GroupId, string? Firmware, DateTimeOffset? CertificateNotAfter);
