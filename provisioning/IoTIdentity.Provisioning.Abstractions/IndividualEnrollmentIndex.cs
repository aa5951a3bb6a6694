namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// Where a tenant's individual enrolments are listed: sixteen <see cref="IIndividualEnrollmentIndexGrain"/> shards per
/// tenant, one per first hex digit of the device id, so reading the shards in order reads the ids in order.
/// </summary>
public static class IndividualEnrollmentIndex
{
    /// <summary>The shards' digits, in order.</summary>
    public const string Shards = "0123456789abcdef";

    /// <summary>The index shard of <paramref name="tenantId"/> that holds <paramref name="deviceId"/>.</summary>
    public static IIndividualEnrollmentIndexGrain Of(IGrainFactory grains, string tenantId, string deviceId) => Shard(grains, tenantId, deviceId[0]);

    /// <summary>The shard of <paramref name="tenantId"/> for ids starting with <paramref name="digit"/>.</summary>
    public static IIndividualEnrollmentIndexGrain Shard(IGrainFactory grains, string tenantId, char digit) =>
        grains.GetGrain<IIndividualEnrollmentIndexGrain>($"{tenantId}/{digit}");
}
