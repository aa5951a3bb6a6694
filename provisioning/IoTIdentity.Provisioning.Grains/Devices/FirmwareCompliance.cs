namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Whether a device that holds a certificate still runs firmware its group allows: re-checked when the group's
/// allowed releases change, and marked at a renewal that fails the firmware policy.
/// </summary>
public sealed class FirmwareCompliance(DeviceLedger ledger)
{
    /// <summary>
    /// After the group's allowed firmware changed: non-compliant if the device proved no release, or one no longer
    /// allowed (compliant again if it is allowed, or if the list is now empty). Only for a device of that tenant and
    /// group holding a certificate; returns whether it is now compliant, or null if the check does not apply.
    /// </summary>
    public async Task<bool?> RecheckAsync(DeviceContext device, string tenantId, string groupId, IReadOnlyList<string> allowedReleases)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.GroupId != groupId || s.Current is null) return null;
        var firmware = s.LastAttestation?.Firmware;
        var compliant = allowedReleases.Count == 0 || firmware is not null && allowedReleases.Contains(firmware, StringComparer.Ordinal);
        if (compliant == !s.NonCompliant) return compliant;
        await ledger.RecordAsync(device, s with { NonCompliant = !compliant },
            new DeviceEvent(tenantId, AuditActions.FirmwarePolicy, compliant ? "compliant" : "non-compliant", "policy",
                new Dictionary<string, string> { ["firmware"] = firmware ?? "", ["group"] = groupId }));
        return compliant;
    }

    /// <summary>A device with a certificate failed the firmware policy at renewal: it is listed as non-compliant.</summary>
    public Task MarkNonCompliantAsync(DeviceContext device) => ledger.RecordAsync(device, device.State with { NonCompliant = true });
}
