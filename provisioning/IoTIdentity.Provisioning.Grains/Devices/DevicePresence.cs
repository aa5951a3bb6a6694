namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Whether a device is on its channel, as the MQTT endpoint reports its authenticated sessions: one state and inventory
/// write when a session opens or closes, none per message. Reports arrive off the broker's loop and may cross, so a
/// report older than the one recorded changes nothing. A device that belongs to no tenant has no inventory to show it in.
/// </summary>
public sealed class DevicePresence(DeviceLedger ledger)
{
    /// <summary>Records that the device's authenticated session opened (<paramref name="connected"/>) or closed at <paramref name="at"/>.</summary>
    public async Task RecordAsync(DeviceContext device, bool connected, DateTimeOffset at)
    {
        var s = device.State;
        if (s.TenantId is null || s.LastSeenAt is { } seen && at < seen) return;
        await ledger.RecordAsync(device, s with { LastSeenAt = at, Connected = connected });
    }
}
