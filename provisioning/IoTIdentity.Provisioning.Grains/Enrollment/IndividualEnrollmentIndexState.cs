using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of one individual-enrolment index shard: device ids in ordinal order.</summary>
[GenerateSerializer, Immutable]
public sealed record IndividualEnrollmentIndexState
{
    [Id(0)] public ImmutableList<string> DeviceIds { get; init; } = [];
}
