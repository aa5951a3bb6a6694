using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The tenant-wide manufacturer roots (DER) with a version that changes with them.</summary>
[GenerateSerializer, Immutable]
public sealed record ManufacturerRoots([property: Id(0)] long Version, [property: Id(1)] ImmutableList<byte[]> Certificates);
