using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of an enrolment group.</summary>
[GenerateSerializer, Immutable]
public sealed record EnrollmentGroupState
{
    [Id(0)] public EnrollmentPolicy? Policy { get; init; }
    [Id(1)] public int DeviceCount { get; init; }
}
