using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Puts a device of the owning tenant in quarantine (its renewals and enrolments are refused as
/// <c>Disabled</c> while it holds, its current certificate stays valid) and releases it, both audited with the
/// finding behind them. Reversible, unlike a revocation.
/// </summary>
public sealed class DeviceQuarantine(DeviceLedger ledger, TimeProvider clock)
{
    /// <summary>Quarantines the device for <paramref name="findingId"/>; false if it is not the tenant's, is revoked, or is already quarantined.</summary>
    public async Task<bool> QuarantineAsync(DeviceContext device, string tenantId, string findingId, string actor)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.Status == DeviceStatus.Revoked || s.Quarantine is not null) return false;
        await ledger.RecordAsync(device, s with
        {
            Quarantine = new QuarantineRecord { FindingId = findingId, Since = clock.GetUtcNow(), Actor = actor }, Challenges = [],
        }, new DeviceEvent(tenantId, AuditActions.Quarantine, "done", actor, new Dictionary<string, string> { ["finding"] = findingId }), inventory: false);
        return true;
    }

    /// <summary>Releases the device from quarantine; false if it is not the tenant's or not quarantined.</summary>
    public async Task<bool> ReleaseAsync(DeviceContext device, string tenantId, string actor)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.Quarantine is not { } held) return false;
        await ledger.RecordAsync(device, s with { Quarantine = null },
            new DeviceEvent(tenantId, AuditActions.QuarantineRelease, "done", actor, new Dictionary<string, string> { ["finding"] = held.FindingId }), inventory: false);
        return true;
    }
}
