using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of an enrolment group.</summary>
[GenerateSerializer, Immutable]
public sealed record EnrollmentGroupState
{
    [Id(0)] public EnrollmentPolicy? Policy { get; init; }
    /// <summary>How many devices the group had admitted when the count was kept here; read only until the group's
    /// <see cref="AdmissionCount"/> document is first written.</summary>
    [Id(1)] public int DeviceCount { get; init; }
}
