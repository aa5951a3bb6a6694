namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// Where a tenant's accepted ownership vouchers are listed: sixteen sorted device-id shards per tenant, one per first
/// hex digit, of the same kind as <see cref="IndividualEnrollmentIndex"/>'s (keys <c>vouchers/{tenant}/{digit}</c>).
/// </summary>
public static class OwnershipVoucherIndex
{
    /// <summary>The index shard of <paramref name="tenantId"/> that holds <paramref name="deviceId"/>.</summary>
    public static IIndividualEnrollmentIndexGrain Of(IGrainFactory grains, string tenantId, string deviceId) => Shard(grains, tenantId, deviceId[0]);

    /// <summary>The shard of <paramref name="tenantId"/> for ids starting with <paramref name="digit"/>.</summary>
    public static IIndividualEnrollmentIndexGrain Shard(IGrainFactory grains, string tenantId, char digit) =>
        grains.GetGrain<IIndividualEnrollmentIndexGrain>($"vouchers/{tenantId}/{digit}");
}
