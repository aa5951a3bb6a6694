namespace IoTIdentity.Protocol.Management;

/// <summary>An individual enrolment (<c>/api/v1/individual-enrollments/{deviceId}</c>): which of the tenant's groups' policy applies to one device.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Enabled">Whether the device is admitted.</param>
public sealed record IndividualEnrollment(string GroupId, bool Enabled = true);
