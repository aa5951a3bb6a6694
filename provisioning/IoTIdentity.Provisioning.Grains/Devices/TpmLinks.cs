using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Links the device ids of one TPM. Its RSA and its ECC EK are two keys, so two ids (identity is the EK key), but one
/// device: when a device is first bound to a tenant and its EK certificate named the TPM (<c>TpmHardwareSerial</c>:
/// manufacturer and hardware serial), the first id bound with that TPM holds it (storage claim scope <c>tpm</c>), and a
/// later id of the same TPM bound to the same tenant is linked to it, both ways, audited in the tenant's log. Ids of the
/// same TPM owned by different tenants are not linked (neither learns of the other). An operator links or unlinks two
/// of the tenant's devices by hand where the certificates carry no serial.
/// </summary>
public sealed class TpmLinks(IGrainFactory grains, IProvisioningStore store, DeviceLedger ledger)
{
    /// <summary>The storage claim scope: value the SHA-256 of the TPM as shown, owner the first device id bound with it.</summary>
    public const string ClaimScope = "tpm";

    /// <summary>After the device's first binding to <paramref name="tenantId"/>: links it to the tenant's device that holds its TPM, if any.</summary>
    public async Task LinkSameTpmAsync(DeviceContext device, string tenantId)
    {
        if (device.State.Tpm is not { } tpm) return;
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tpm)));
        if (await store.TryClaimAsync(ClaimScope, key, device.DeviceId)) return;
        if (await store.GetClaimOwnerAsync(ClaimScope, key) is not { } holder || holder == device.DeviceId) return;
        if (await grains.GetGrain<IDeviceGrain>(holder).AddLinkAsync(tenantId, device.DeviceId, DeviceLink.EkCertificates, "service"))
            await AddAsync(device, tenantId, holder, DeviceLink.EkCertificates, "service");
    }

    /// <summary>Adds the link on this side; false if the device is not <paramref name="tenantId"/>'s.</summary>
    public async Task<bool> AddAsync(DeviceContext device, string tenantId, string otherDeviceId, string basis, string actor)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.Current is null && s.Status == DeviceStatus.Unknown || otherDeviceId == device.DeviceId) return false;
        if (s.Links.Any(l => l.DeviceId == otherDeviceId)) return true;
        await ledger.RecordAsync(device, s with { Links = s.Links.Add(new DeviceLink(otherDeviceId, basis)) },
            new DeviceEvent(tenantId, AuditActions.Link, "done", actor, new Dictionary<string, string> { ["device"] = otherDeviceId, ["basis"] = basis }));
        return true;
    }

    /// <summary>Removes the link on this side; false if the device is not the tenant's or has no such link.</summary>
    public async Task<bool> RemoveAsync(DeviceContext device, string tenantId, string otherDeviceId, string actor)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.Links.FirstOrDefault(l => l.DeviceId == otherDeviceId) is not { } link) return false;
        await ledger.RecordAsync(device, s with { Links = s.Links.Remove(link) },
            new DeviceEvent(tenantId, AuditActions.Unlink, "done", actor, new Dictionary<string, string> { ["device"] = otherDeviceId }));
        return true;
    }
}
