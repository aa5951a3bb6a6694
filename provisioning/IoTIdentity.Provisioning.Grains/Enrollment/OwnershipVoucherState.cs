namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>The durable state of a device's ownership voucher claim.</summary>
[GenerateSerializer, Immutable]
public sealed record OwnershipVoucherState
{
    /// <summary>The tenant whose verified voucher covers the device.</summary>
    [Id(0)] public string? TenantId { get; init; }

    /// <summary>When the voucher was accepted.</summary>
    [Id(1)] public DateTimeOffset? At { get; init; }
}
