namespace IoTIdentity.Protocol.Management;

/// <summary>An individual enrolment (<c>/api/v1/individual-enrollments/{deviceId}</c>): which of the tenant's groups' policy applies to one device.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Enabled">Whether the device is admitted.</param>
/// <param name="ClaimCodeSha256">
/// Write-only: the lowercase hex SHA-256 of the device's claim code (UTF-8), the secret printed on the device that only
/// its maker and its buyer know. A device that presents the code in <c>register</c> is this tenant's even when other
/// tenants' enrolments also admit it. Never shown back (null in answers).
/// </param>
public sealed record IndividualEnrollment(string GroupId, bool Enabled = true, string? ClaimCodeSha256 = null);
