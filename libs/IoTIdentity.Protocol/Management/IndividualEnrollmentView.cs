namespace IoTIdentity.Protocol.Management;

/// <summary>One individual enrolment as <c>GET /api/v1/individual-enrollments</c> lists it.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="GroupId">The group whose policy applies.</param>
/// <param name="Enabled">Whether the device is admitted.</param>
/// <param name="HasClaimCode">Whether a claim code's hash is held (the hash itself is never shown).</param>
public sealed record IndividualEnrollmentView(string DeviceId, string GroupId, bool Enabled, bool HasClaimCode);
