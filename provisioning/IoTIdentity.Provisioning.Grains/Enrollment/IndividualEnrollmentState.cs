using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of an individual enrolment.</summary>
[GenerateSerializer, Immutable]
public sealed record IndividualEnrollmentState
{
    [Id(0)] public IndividualEnrollment? Enrollment { get; init; }
}
