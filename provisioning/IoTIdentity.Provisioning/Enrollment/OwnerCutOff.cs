using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Enrollment;

/// <summary>
/// Cuts a previous owner off a device: its certificates go on its CRL and the device's live MQTT session is closed.
/// The one place the transfer saga revokes and disconnects (so a shared revocation service can replace it).
/// </summary>
public sealed partial class OwnerCutOff(IGrainFactory grains, MqttEndpoint mqtt, AuditTrail audit, TimeProvider clock, ILogger<OwnerCutOff> logger)
{
    /// <summary>
    /// Revokes <paramref name="serials"/> on <paramref name="tenantId"/>'s CRL (affiliationChanged), then closes the
    /// device's sessions — after <paramref name="closeAfter"/>, so that a reply the device is about to receive (its new
    /// certificate) goes out first — and records how many were closed in the old owner's audit log.
    /// </summary>
    internal async Task CutOffAsync(string tenantId, string deviceId, IReadOnlyList<string> serials, TimeSpan closeAfter)
    {
        var now = clock.GetUtcNow();
        if (serials.Count > 0)
            await grains.GetGrain<ITenantGrain>(tenantId).RevokeCertificatesAsync(serials.Select(s => new RevocationRecord
            {
                SerialNumber = s, RevokedAt = now, Reason = (int)CrlReason.AffiliationChanged, DeviceId = deviceId,
            }).ToList());
        if (closeAfter <= TimeSpan.Zero) await CloseAsync(tenantId, deviceId);
        else _ = Task.Run(async () =>
        {
            await Task.Delay(closeAfter, clock);
            await CloseAsync(tenantId, deviceId);
        });
    }

    private async Task CloseAsync(string tenantId, string deviceId)
    {
        try
        {
            var closed = mqtt.IsRunning ? await mqtt.CloseSessionsAsync(deviceId) : 0;
            await audit.RecordAsync(tenantId, "transfer-cutoff", deviceId, "sessions-closed", [], "transfer",
                new Dictionary<string, string> { ["sessionsClosed"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        catch (Exception e) when (e is InvalidOperationException or Storage.StoreUnavailableException)
        {
            CloseFailed(logger, e, deviceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the sessions of {DeviceId} after a transfer failed")]
    private static partial void CloseFailed(ILogger logger, Exception exception, string deviceId);
}
