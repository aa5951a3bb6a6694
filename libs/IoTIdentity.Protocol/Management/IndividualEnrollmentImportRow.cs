namespace IoTIdentity.Protocol.Management;

/// <summary>
/// One row of <c>POST /api/v1/individual-enrollments/import</c>: the device by its id, or by its EK certificate (PEM or
/// base64 DER, from which the service derives the id), and the enrolment to give it.
/// </summary>
/// <param name="DeviceId">The device id (lowercase hex SHA-256 of its EK public area); or leave it out and give <paramref name="EkCertificate"/>.</param>
/// <param name="EkCertificate">The device's EK certificate, PEM or base64 DER.</param>
/// <param name="GroupId">The group whose policy applies; the import's default group when left out.</param>
/// <param name="Enabled">Whether the device is admitted (default true).</param>
/// <param name="ClaimCodeSha256">Write-only: the lowercase hex SHA-256 of the device's claim code.</param>
public sealed record IndividualEnrollmentImportRow(string? DeviceId = null, string? EkCertificate = null, string? GroupId = null, bool? Enabled = null,
    string? ClaimCodeSha256 = null);
