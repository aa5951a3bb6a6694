using System.Collections.Immutable;
using System.Globalization;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Grains.Monitoring;

/// <summary>
/// The inventory detectors: an active device is due to renew at two thirds of the time from its last issuance (its
/// inventory row's update) to its certificate's expiry, as the agent is told. Past that by more than the policy's
/// grace it is stale; with less than the policy's horizon left before expiry it will lapse before it renews.
/// </summary>
public sealed class InventorySweep(IProvisioningStore store)
{
    /// <summary>What the active devices of <paramref name="tenantId"/> show at <paramref name="now"/>.</summary>
    public async Task<List<Detection>> SweepAsync(string tenantId, MonitoringPolicy policy, DateTimeOffset now)
    {
        var found = new List<Detection>();
        await foreach (var page in StorePages.DevicesAsync(store, tenantId, new DeviceQuery { State = nameof(DeviceStatus.Active) })
                           .ConfigureAwait(false))
            found.AddRange(page.Select(d => Check(d, policy, now)).OfType<Detection>());
        return found;
    }

    /// <summary>What one device's row shows, or null.</summary>
    public static Detection? Check(DeviceRecord device, MonitoringPolicy policy, DateTimeOffset now)
    {
        if (device.CertificateNotAfter is not { } notAfter || notAfter <= device.UpdatedAt) return null;
        var renewAt = device.UpdatedAt + (notAfter - device.UpdatedAt) * 2 / 3;
        var evidence = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            ["serial"] = device.CertificateSerial ?? "",
            ["not-after"] = notAfter.ToString("O", CultureInfo.InvariantCulture),
            ["renewal-due"] = renewAt.ToString("O", CultureInfo.InvariantCulture),
            ["last-change"] = device.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
        });
        if (notAfter > now && notAfter - now < policy.ExpiryHorizon && now > renewAt)
            return new Detection(FindingKind.ExpiringBeforeRenewal, FindingSeverity.High, device.DeviceId, [device.DeviceId], evidence, now);
        if (now > renewAt + policy.StaleGrace)
            return new Detection(FindingKind.StaleDevice, FindingSeverity.Medium, device.DeviceId, [device.DeviceId], evidence, now);
        return null;
    }
}
