namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>The durable state of <see cref="ServiceAdminGrain"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ServiceAdminState
{
    [Id(0)] public byte[]? KeyHash { get; init; }
}
