using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Host.Reports;

/// <summary>
/// The tenant's devices as they stood at a moment in the past. A device nothing happened to since is as the inventory
/// holds it now; a device something happened to since (an issue, a revocation, disabling, a firmware re-check, a
/// transfer) is rebuilt from its own audit entries up to that moment (read by subject, so not the whole log), its
/// certificate's expiry taken from the certificate its last issue named.
/// </summary>
public sealed class InventoryAsOf(IProvisioningStore store, IGrainFactory grains)
{
    /// <summary>The actions that change what the report shows of a device: its state, group, firmware, compliance or certificate.</summary>
    public static readonly IReadOnlySet<string> DeviceActions = new HashSet<string>(StringComparer.Ordinal)
    {
        AuditActions.Attest, AuditActions.Disable, AuditActions.Enable, AuditActions.Revoke, AuditActions.FirmwarePolicy,
        AuditActions.TransferHandover, AuditActions.TransferReenrolled,
    };

    /// <summary>
    /// <paramref name="now"/> (the inventory as read) turned back to <paramref name="at"/>, undoing <paramref name="after"/>
    /// (the audit entries at or after <paramref name="at"/>), in device id order.
    /// </summary>
    public async Task<IReadOnlyList<DeviceRecord>> ReadAsync(string tenantId, IReadOnlyList<DeviceRecord> now, IReadOnlyList<AuditEntry> after,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        var changed = after.Where(e => DeviceActions.Contains(e.Event.Action)).Select(e => e.Event.Subject).ToHashSet(StringComparer.Ordinal);
        var devices = now.Where(d => !changed.Contains(d.DeviceId)).ToList();
        foreach (var deviceId in changed.Order(StringComparer.Ordinal))
        {
            if (Replay(tenantId, deviceId, await HistoryAsync(tenantId, deviceId, at, cancellationToken)) is not { } then) continue;
            var certificate = then.CertificateSerial is { } serial ? await grains.GetGrain<IDeviceGrain>(deviceId).GetCertificateAsync(tenantId, serial) : null;
            devices.Add(then with { CertificateNotAfter = certificate?.NotAfter });
        }
        devices.Sort((a, b) => string.CompareOrdinal(a.DeviceId, b.DeviceId));
        return devices;
    }

    /// <summary>
    /// What a device's entries up to a moment say of it: null if it was not the tenant's then (never issued a certificate
    /// by it, or handed over to another tenant); otherwise its state, group, firmware, compliance and current serial.
    /// </summary>
    public static DeviceRecord? Replay(string tenantId, string deviceId, IEnumerable<AuditEntry> history)
    {
        DeviceRecord? device = null;
        foreach (var e in history.Select(h => h.Event))
        {
            var details = e.Details ?? new Dictionary<string, string>();
            device = e.Action switch
            {
                AuditActions.Attest when e.Outcome == "issued" => (device ?? New(tenantId, deviceId, e.At)) with
                {
                    State = nameof(DeviceStatus.Active), Compliant = true, UpdatedAt = e.At,
                    CertificateSerial = details.GetValueOrDefault("serial") ?? device?.CertificateSerial,
                    Firmware = details.TryGetValue("firmware", out var firmware) ? NullIfEmpty(firmware) : device?.Firmware,
                    GroupId = details.GetValueOrDefault("group") ?? device?.GroupId,
                },
                AuditActions.Disable when device is not null => device with { State = nameof(DeviceStatus.Disabled), UpdatedAt = e.At },
                AuditActions.Enable when device is not null => device with { State = nameof(DeviceStatus.Active), UpdatedAt = e.At },
                AuditActions.Revoke when device is not null && !e.Outcome.StartsWith("refused:", StringComparison.Ordinal) =>
                    device with { State = nameof(DeviceStatus.Revoked), UpdatedAt = e.At },
                AuditActions.FirmwarePolicy when device is not null => device with { Compliant = e.Outcome == "compliant", UpdatedAt = e.At },
                AuditActions.TransferHandover when details.GetValueOrDefault("from") == tenantId => null,
                AuditActions.TransferHandover when details.GetValueOrDefault("to") == tenantId =>
                    New(tenantId, deviceId, e.At) with { State = nameof(DeviceStatus.Transferring) },
                _ => device,
            };
        }
        return device;
    }

    private async Task<List<AuditEntry>> HistoryAsync(string tenantId, string deviceId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var history = new List<AuditEntry>();
        for (long next = 1; ;)
        {
            var page = await store.ReadAuditBySubjectAsync(tenantId, deviceId, next, StoreLimits.MaxPageSize, cancellationToken);
            history.AddRange(page.Where(e => e.Event.At < before));
            if (page.Count < StoreLimits.MaxPageSize) return history;
            next = page[^1].Sequence + 1;
        }
    }

    private static DeviceRecord New(string tenantId, string deviceId, DateTimeOffset at) => new(tenantId, deviceId, nameof(DeviceStatus.Unknown), null, null, null, true, at);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
