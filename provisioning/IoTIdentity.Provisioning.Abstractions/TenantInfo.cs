using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A tenant's settings and counters as the management API shows them (certificates DER).</summary>
[GenerateSerializer, Immutable]
public sealed record TenantInfo
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public int? MaxDevices { get; init; }
    [Id(3)] public int DeviceCount { get; init; }
    [Id(4)] public required byte[] RootCertificate { get; init; }
    [Id(5)] public required byte[] IssuingCertificate { get; init; }
    [Id(6)] public ImmutableList<byte[]> ManufacturerRoots { get; init; } = [];
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Whether the owner brought the issuing CA (the service holds no root key).</summary>
    [Id(8)] public bool OwnCa { get; init; }
}
