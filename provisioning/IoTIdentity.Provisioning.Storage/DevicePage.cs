namespace IoTIdentity.Provisioning.Storage;

/// <summary>One page of a tenant's device inventory.</summary>
/// <param name="Items">The devices, in ascending order of device id (Unicode code point order).</param>
/// <param name="ContinuationToken">Pass it in the next <see cref="DeviceQuery"/> to get the next page;
/// <see langword="null"/> when this is the last page. Opaque to callers.</param>
public sealed record DevicePage(IReadOnlyList<DeviceRecord> Items, string? ContinuationToken);
