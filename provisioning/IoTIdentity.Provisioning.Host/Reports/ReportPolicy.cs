namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>An enrolment group's attestation policy as in force when the report is read.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Version">The policy's version (raised on every change).</param>
/// <param name="Enabled">Whether the group admits devices.</param>
/// <param name="PcrIndices">The PCRs quoted, comma-separated.</param>
/// <param name="AllowedFirmware">The firmware releases allowed (<c>product version</c>, comma-separated); empty when any.</param>
/// <param name="CertificateLifetimeSeconds">How long the group's certificates live.</param>
/// <param name="TrustedRoots">How many manufacturer roots the group trusts.</param>
public sealed record ReportPolicy(string GroupId, long Version, bool Enabled, string PcrIndices, string AllowedFirmware, long CertificateLifetimeSeconds, int TrustedRoots);
