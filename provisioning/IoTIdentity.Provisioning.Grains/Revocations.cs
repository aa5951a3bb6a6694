using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Storage;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// The one place that revokes: puts certificates on the issuing tenant's CRL (which is rebuilt on the next fetch) and
/// closes the device's live MQTT sessions on every silo. The device API, the certificate API and ownership transfers
/// all come through here.
/// </summary>
public sealed partial class Revocations(IGrainFactory grains, IProvisioningStore store, IDeviceSessions devices, AuditTrail audit, TimeProvider clock,
    ILogger<Revocations> logger)
{
    /// <summary>The claim scope that maps a serial to the device it was issued to.</summary>
    internal const string SerialScope = "serial";

    /// <summary>
    /// Revokes a device of <paramref name="tenantId"/> for good: all of its certificates from that tenant go on the
    /// CRL with <paramref name="reason"/>, it is refused from then on, and its live sessions are closed. False if the
    /// device is not the tenant's.
    /// </summary>
    public async Task<bool> RevokeDeviceAsync(string tenantId, string deviceId, CrlReason reason, string actor)
    {
        if (!await grains.GetGrain<IDeviceGrain>(deviceId).RevokeAsync(tenantId, reason, actor)) return false;
        await devices.CloseSessionsAsync(deviceId);
        return true;
    }

    /// <summary>
    /// Revokes one certificate <paramref name="tenantId"/> issued (the device stays and may enrol again) and closes the
    /// device's live sessions: a session outlives the certificate that authenticated it — after a renewal on it, that
    /// one is superseded, not current — so any revoked certificate of the device may be holding one open. The device
    /// reconnects with its current certificate, if it still has one. False if the tenant issued no certificate with
    /// that serial.
    /// </summary>
    public async Task<bool> RevokeCertificateAsync(string tenantId, string serialNumber, CrlReason reason, string actor)
    {
        var deviceId = await store.GetClaimOwnerAsync(SerialScope, serialNumber);
        if (deviceId is null) return false;
        var outcome = await grains.GetGrain<IDeviceGrain>(deviceId).RevokeCertificateAsync(tenantId, serialNumber, reason, actor);
        if (outcome != CertificateRevocationOutcome.NotFound) await devices.CloseSessionsAsync(deviceId);
        return outcome != CertificateRevocationOutcome.NotFound;
    }

    /// <summary>
    /// For a device that changed hands: puts the certificates <paramref name="issuingTenantId"/> issued it on that
    /// tenant's CRL (reason affiliationChanged unless told otherwise), then closes its live sessions, which still use
    /// them — after <paramref name="closeAfter"/>, so that a reply the device is about to receive (its new certificate)
    /// goes out first — and records how many were closed in the former owner's audit log.
    /// </summary>
    public async Task RevokeFormerOwnerCertificatesAsync(string issuingTenantId, string deviceId, IReadOnlyCollection<string> serialNumbers,
        TimeSpan closeAfter, CrlReason reason = CrlReason.AffiliationChanged)
    {
        if (serialNumbers.Count > 0) await PutOnCrlAsync(issuingTenantId, deviceId, serialNumbers, reason);
        if (closeAfter <= TimeSpan.Zero) await CloseFormerOwnerSessionsAsync(issuingTenantId, deviceId);
        else _ = Task.Run(async () =>
        {
            await Task.Delay(closeAfter, clock);
            await CloseFormerOwnerSessionsAsync(issuingTenantId, deviceId);
        });
    }

    private async Task CloseFormerOwnerSessionsAsync(string tenantId, string deviceId)
    {
        try
        {
            var closed = await devices.CloseSessionsAsync(deviceId);
            await audit.RecordAsync(tenantId, AuditActions.TransferCutoff, deviceId, "sessions-closed", [], "transfer",
                new Dictionary<string, string> { ["sessionsClosed"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        catch (Exception e) when (e is StoreUnavailableException or SiloUnavailableException)
        {
            CloseFailed(logger, e, deviceId);
        }
    }

    /// <summary>
    /// Puts certificates <paramref name="tenantId"/> issued <paramref name="deviceId"/> on that tenant's CRL (rebuilt on
    /// its next fetch). The device's grain calls this for its owner's revocations; the sessions are the caller's to close.
    /// </summary>
    public Task PutOnCrlAsync(string tenantId, string deviceId, IEnumerable<string> serialNumbers, CrlReason reason) =>
        grains.GetGrain<ITenantGrain>(tenantId).RevokeCertificatesAsync(RevocationRecord.For(deviceId, serialNumbers, reason, clock.GetUtcNow()));

    /// <summary>A certificate <paramref name="tenantId"/> issued, or null (unknown serial, or another tenant's).</summary>
    public async Task<CertificateView?> GetCertificateAsync(string tenantId, string serialNumber)
    {
        var deviceId = await store.GetClaimOwnerAsync(SerialScope, serialNumber);
        return deviceId is null ? null : await grains.GetGrain<IDeviceGrain>(deviceId).GetCertificateAsync(tenantId, serialNumber);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the sessions of {DeviceId} after a transfer failed")]
    private static partial void CloseFailed(ILogger logger, Exception exception, string deviceId);
}
