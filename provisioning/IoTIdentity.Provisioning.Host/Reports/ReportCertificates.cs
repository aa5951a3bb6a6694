namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>Certificates in the period: issued at first enrolment, renewed, revoked (by reason), and those expiring soon.</summary>
/// <param name="Issued">Certificates issued to enrolling devices (<c>attest</c> with mode <c>enroll</c>).</param>
/// <param name="Renewed">Certificates issued by rotation (mode <c>renew</c>).</param>
/// <param name="Revoked">Devices and certificates revoked (by an operator, monitoring or a transfer).</param>
/// <param name="RevokedByReason">The revocations per reason, most first.</param>
/// <param name="ExpiringWithinDays">The horizon after the period's end that <see cref="Expiring"/> looks to.</param>
/// <param name="Expiring">Active devices whose certificate expires before the period's end plus the horizon, soonest first.</param>
public sealed record ReportCertificates(int Issued, int Renewed, int Revoked, IReadOnlyList<ReportCount> RevokedByReason, int ExpiringWithinDays, IReadOnlyList<ReportDevice> Expiring);
