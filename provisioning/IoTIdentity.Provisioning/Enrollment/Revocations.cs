using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Channel;
using IoTIdentity.Provisioning.Storage;

namespace IoTIdentity.Provisioning.Enrollment;

/// <summary>
/// The one place that revokes: puts certificates on the issuing tenant's CRL (which is rebuilt on the next fetch) and
/// closes the device's live MQTT sessions on every silo. The device API, the certificate API and ownership transfers
/// all come through here.
/// </summary>
public sealed class Revocations(IGrainFactory grains, IProvisioningStore store, ClusterDeviceChannel devices, TimeProvider clock)
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
    /// Revokes one certificate <paramref name="tenantId"/> issued (the device stays and may enrol again); closes the
    /// device's sessions when it was the certificate in use. False if the tenant issued no certificate with that serial.
    /// </summary>
    public async Task<bool> RevokeCertificateAsync(string tenantId, string serialNumber, CrlReason reason, string actor)
    {
        var deviceId = await store.GetClaimOwnerAsync(SerialScope, serialNumber);
        if (deviceId is null) return false;
        var outcome = await grains.GetGrain<IDeviceGrain>(deviceId).RevokeCertificateAsync(tenantId, serialNumber, reason, actor);
        if (outcome == CertificateRevocationOutcome.RevokedCurrent) await devices.CloseSessionsAsync(deviceId);
        return outcome != CertificateRevocationOutcome.NotFound;
    }

    /// <summary>
    /// For a device that changed hands: puts the certificates <paramref name="issuingTenantId"/> issued it on that
    /// tenant's CRL (reason affiliationChanged unless told otherwise) and closes its live sessions, which still use them.
    /// </summary>
    public async Task RevokeFormerOwnerCertificatesAsync(string issuingTenantId, string deviceId, IReadOnlyCollection<string> serialNumbers,
        CrlReason reason = CrlReason.AffiliationChanged)
    {
        var now = clock.GetUtcNow();
        await grains.GetGrain<ITenantGrain>(issuingTenantId).RevokeCertificatesAsync(
            serialNumbers.Select(s => new RevocationRecord { SerialNumber = s, RevokedAt = now, Reason = (int)reason, DeviceId = deviceId }).ToList());
        await devices.CloseSessionsAsync(deviceId);
    }

    /// <summary>A certificate <paramref name="tenantId"/> issued, or null (unknown serial, or another tenant's).</summary>
    public async Task<CertificateView?> GetCertificateAsync(string tenantId, string serialNumber)
    {
        var deviceId = await store.GetClaimOwnerAsync(SerialScope, serialNumber);
        return deviceId is null ? null : await grains.GetGrain<IDeviceGrain>(deviceId).GetCertificateAsync(tenantId, serialNumber);
    }
}
