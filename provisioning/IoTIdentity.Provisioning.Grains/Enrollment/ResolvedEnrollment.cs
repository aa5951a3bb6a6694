using IoTIdentity.Attestation.Ek;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The enrolment that admits a device: its group's policy, and the device's EK certificate as validated against it.</summary>
internal sealed record ResolvedEnrollment(EnrollmentPolicy Policy, EkCertificate Certificate);
