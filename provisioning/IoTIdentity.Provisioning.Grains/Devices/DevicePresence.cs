namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// Whether a device is on its channel, as the MQTT endpoint reports its authenticated sessions: one state and inventory
/// write when a session opens or closes, none per message. Reports arrive off the broker's loop and may cross, so a
/// report older than the one recorded changes nothing. A device that belongs to no tenant has no inventory to show it in.
/// Requests that prove the device (an accepted attestation, a token request) refresh <c>lastSeenAt</c> too, inside the
/// state write they make anyway; a token request rewrites the inventory row only once <see cref="RowRefresh"/> has passed.
/// </summary>
public sealed class DevicePresence(DeviceLedger ledger)
{
    /// <summary>How stale the inventory's <c>lastSeenAt</c> may grow under a stream of token requests before one rewrites the row.</summary>
    public static readonly TimeSpan RowRefresh = TimeSpan.FromMinutes(1);

    /// <summary>The last-seen time after a proven request at <paramref name="at"/>: never earlier than what is recorded.</summary>
    public static DateTimeOffset SeenAt(DeviceState s, DateTimeOffset at) => s.LastSeenAt is { } seen && seen > at ? seen : at;

    /// <summary>Whether a proven request at <paramref name="at"/> should rewrite the inventory row (its last-seen is <see cref="RowRefresh"/> old).</summary>
    public static bool RowIsStale(DeviceState s, DateTimeOffset at) => s.LastSeenAt is not { } seen || at - seen >= RowRefresh;

    /// <summary>Records that the device's authenticated session opened (<paramref name="connected"/>) or closed at <paramref name="at"/>.</summary>
    public async Task RecordAsync(DeviceContext device, bool connected, DateTimeOffset at)
    {
        var s = device.State;
        if (s.TenantId is null || s.LastSeenAt is { } seen && at < seen) return;
        await ledger.RecordAsync(device, s with { LastSeenAt = at, Connected = connected });
    }
}
