using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Records a change of a device, always in the same order: its state (durable, ETag-guarded) first, then the audit
/// entry, then the inventory row — so an inventory row showing a change means the state and the audit entry are
/// written too, and a store fault part-way leaves something a retry completes, never a row without its history.
/// </summary>
public sealed class DeviceLedger(IProvisioningStore store, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Writes <paramref name="next"/> (stamped with the time), then <paramref name="audited"/>, then, unless told not to, the inventory row.</summary>
    public async Task RecordAsync(DeviceContext device, DeviceState next, DeviceEvent? audited = null, bool inventory = true)
    {
        await device.WriteAsync(next with { UpdatedAt = clock.GetUtcNow() });
        if (audited is not null) await AuditAsync(device, audited);
        if (inventory) await UpdateInventoryAsync(device);
    }

    /// <summary>Appends one entry to a tenant's audit log about the device.</summary>
    public Task AuditAsync(DeviceContext device, DeviceEvent audited) =>
        audit.RecordAsync(audited.TenantId, audited.Action, device.DeviceId, audited.Outcome, audited.Evidence ?? [], audited.Actor, audited.Details);

    /// <summary>Claims a newly signed serial for the device (false if the serial is already another's: sign again).</summary>
    public Task<bool> ClaimSerialAsync(DeviceContext device, string serialNumber) =>
        store.TryClaimAsync(Revocations.SerialScope, serialNumber, device.DeviceId);

    /// <summary>Claims the EK key (its <see cref="Enrollment.EkIdentity.Fingerprint"/>) for the device; false if another device id holds it.</summary>
    public Task<bool> ClaimEkKeyAsync(DeviceContext device, string fingerprint) =>
        store.TryClaimAsync(Enrollment.EkIdentity.ClaimScope, fingerprint, device.DeviceId);

    /// <summary>The device id that holds the EK key, or null while no device has attested with it.</summary>
    public Task<string?> EkKeyOwnerAsync(string fingerprint) => store.GetClaimOwnerAsync(Enrollment.EkIdentity.ClaimScope, fingerprint);

    /// <summary>Whether the inventory row of the device under <paramref name="tenantId"/> already shows <paramref name="serialNumber"/>.</summary>
    public async Task<bool> ShowsSerialAsync(DeviceContext device, string tenantId, string serialNumber) =>
        (await store.GetDeviceAsync(tenantId, device.DeviceId))?.CertificateSerial == serialNumber;

    /// <summary>Writes the device's inventory row from its state (nothing while it belongs to no tenant).</summary>
    public Task UpdateInventoryAsync(DeviceContext device)
    {
        var s = device.State;
        return s.TenantId is null
            ? Task.CompletedTask
            : store.UpsertDeviceAsync(new DeviceRecord(s.TenantId, device.DeviceId, s.Status.ToString(), s.LastAttestation?.Firmware,
                s.Current?.SerialNumber, s.Current?.NotAfter, Compliant: !s.NonCompliant, clock.GetUtcNow(), s.GroupId, s.Tags, s.LastSeenAt, s.Connected,
                [.. s.Links.Select(l => l.DeviceId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(StoreLimits.MaxLinks)]));
    }
}
