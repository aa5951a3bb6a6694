using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of the directory.</summary>
[GenerateSerializer, Immutable]
public sealed record EnrollmentDirectoryState
{
    [Id(0)] public ImmutableList<string> Groups { get; init; } = [];
    [Id(1)] public long Version { get; init; }
}
