namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// The ownership voucher claim on one device (key = deviceId): which tenant proved, with a manufacturer-signed voucher
/// it uploaded and the service verified, that the device is its own. An unowned device resolves to that tenant even
/// when other tenants trust its vendor.
/// </summary>
public interface IOwnershipVoucherGrain : IGrainWithStringKey
{
    /// <summary>The tenant whose verified voucher covers the device, or null.</summary>
    Task<string?> GetTenantAsync();

    /// <summary>When <paramref name="tenantId"/>'s voucher for the device was accepted; null if the device has none of that tenant.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<DateTimeOffset?> GetAcceptedAtAsync(string tenantId);

    /// <summary>Records <paramref name="tenantId"/>'s verified voucher; false if another tenant's voucher already covers the device.</summary>
    Task<bool> SetAsync(string tenantId);

    /// <summary>Removes the tenant's voucher claim; false if the device has none of that tenant.</summary>
    Task<bool> DeleteAsync(string tenantId);
}
