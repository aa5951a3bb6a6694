namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The grains keyed by a value type rather than a bare string.</summary>
public static class GrainLookups
{
    /// <summary>The enrolment group <paramref name="key"/>.</summary>
    public static IEnrollmentGroupGrain GetGroupGrain(this IGrainFactory grains, GroupKey key) =>
        grains.GetGrain<IEnrollmentGroupGrain>(key.ToString());

    /// <summary>The device <paramref name="id"/>.</summary>
    public static IDeviceGrain GetDeviceGrain(this IGrainFactory grains, DeviceId id) => grains.GetGrain<IDeviceGrain>(id.Value);
}
