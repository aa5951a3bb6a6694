using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>The durable state of the tenant directory.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantDirectoryState
{
    /// <summary>Kept in ordinal order.</summary>
    [Id(0)] public ImmutableList<string> TenantIds { get; init; } = [];
}
