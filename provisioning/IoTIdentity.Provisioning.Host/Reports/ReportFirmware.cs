namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>The fleet's firmware compliance: active devices that do and do not satisfy their group's firmware policy.</summary>
/// <param name="Compliant">Active devices whose last attestation satisfied the policy.</param>
/// <param name="NonCompliant">Active devices whose last attestation did not.</param>
/// <param name="ByRelease">Devices per firmware release they last proved, most first.</param>
/// <param name="NonCompliantDevices">The non-compliant devices, by id.</param>
public sealed record ReportFirmware(int Compliant, int NonCompliant, IReadOnlyList<ReportCount> ByRelease, IReadOnlyList<ReportDevice> NonCompliantDevices);
