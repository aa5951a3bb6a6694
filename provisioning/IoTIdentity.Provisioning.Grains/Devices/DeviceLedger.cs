using IoTIdentity.Provisioning.Storage;
using Orleans.Serialization;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Records a change of a device as one store call (<see cref="IProvisioningStore.WriteDeviceChangeAsync"/>), always in
/// the same order: its state (durable, ETag-guarded) first, then the audit entry, then the inventory row — so an
/// inventory row showing a change means the state and the audit entry are written too. The SQLite store commits the
/// three together (one transaction, one WAL append); a store that writes them one after another (Cosmos DB) may fault
/// part-way, which leaves something a retry completes, never a row without its history.
/// </summary>
public sealed class DeviceLedger(IProvisioningStore store, AuditTrail audit, Serializer serializer, TimeProvider clock)
{
    /// <summary>Writes <paramref name="next"/> (stamped with the time), then <paramref name="audited"/>, then, unless told not to, the inventory row.</summary>
    public Task RecordAsync(DeviceContext device, DeviceState next, DeviceEvent? audited = null, bool inventory = true) =>
        RecordAsync(device, next, audited, inventory, claimSerial: null);

    /// <summary>
    /// As <see cref="RecordAsync(DeviceContext, DeviceState, DeviceEvent?, bool)"/>, claiming the newly signed
    /// <paramref name="serialNumber"/> for the device first; false (nothing written) if the serial is another's: sign again.
    /// </summary>
    public Task<bool> RecordIssuedAsync(DeviceContext device, DeviceState next, string serialNumber, DeviceEvent audited) =>
        RecordAsync(device, next, audited, inventory: true, claimSerial: serialNumber);

    private async Task<bool> RecordAsync(DeviceContext device, DeviceState next, DeviceEvent? audited, bool inventory, string? claimSerial)
    {
        next = next with { UpdatedAt = clock.GetUtcNow() };
        var auditEvent = audited is null ? null
            : audit.Describe(audited.Action, device.DeviceId, audited.Outcome, audited.Evidence ?? [], audited.Actor, audited.Details);
        var auditLog = AuditTrail.LogOf(audited?.TenantId);
        var written = await store.WriteDeviceChangeAsync(new DeviceChange(device.Document.Kind, device.Document.Key, serializer.SerializeToArray(next), device.ETag)
        {
            Claim = claimSerial is null ? null : new StoreClaim(Revocations.SerialScope, claimSerial, device.DeviceId),
            Audit = auditEvent is null ? null : (auditLog, auditEvent),
            Inventory = inventory ? InventoryRecord(device.DeviceId, next) : null,
        });
        if (!written.Claimed) return false;
        device.Stored(next, written.ETag!);
        if (auditEvent is not null) audit.Appended(auditLog, auditEvent, written.Audit!);
        return true;
    }

    /// <summary>Appends one entry to a tenant's audit log about the device.</summary>
    public Task AuditAsync(DeviceContext device, DeviceEvent audited) =>
        audit.RecordAsync(audited.TenantId, audited.Action, device.DeviceId, audited.Outcome, audited.Evidence ?? [], audited.Actor, audited.Details);

    /// <summary>Claims the EK key (its <see cref="Enrollment.EkIdentity.Fingerprint"/>) for the device; false if another device id holds it.</summary>
    public Task<bool> ClaimEkKeyAsync(DeviceContext device, string fingerprint) =>
        store.TryClaimAsync(Enrollment.EkIdentity.ClaimScope, fingerprint, device.DeviceId);

    /// <summary>The device id that holds the EK key, or null while no device has attested with it.</summary>
    public Task<string?> EkKeyOwnerAsync(string fingerprint) => store.GetClaimOwnerAsync(Enrollment.EkIdentity.ClaimScope, fingerprint);

    /// <summary>Whether the inventory row of the device under <paramref name="tenantId"/> already shows <paramref name="serialNumber"/>.</summary>
    public async Task<bool> ShowsSerialAsync(DeviceContext device, string tenantId, string serialNumber) =>
        (await store.GetDeviceAsync(tenantId, device.DeviceId))?.CertificateSerial == serialNumber;

    /// <summary>Writes the device's inventory row from its state (nothing while it belongs to no tenant).</summary>
    public Task UpdateInventoryAsync(DeviceContext device) =>
        InventoryRecord(device.DeviceId, device.State) is { } record ? store.UpsertDeviceAsync(record) : Task.CompletedTask;

    /// <summary>The device's inventory row as <paramref name="s"/> shows it (none while it belongs to no tenant).</summary>
    private DeviceRecord? InventoryRecord(string deviceId, DeviceState s) =>
        s.TenantId is null ? null
        : new DeviceRecord(s.TenantId, deviceId, s.Status.ToString(), s.LastAttestation?.Firmware,
            s.Current?.SerialNumber, s.Current?.NotAfter, Compliant: !s.NonCompliant, clock.GetUtcNow(), s.GroupId, s.Tags, s.LastSeenAt, s.Connected,
            [.. s.Links.Select(l => l.DeviceId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(StoreLimits.MaxLinks)]);
}
