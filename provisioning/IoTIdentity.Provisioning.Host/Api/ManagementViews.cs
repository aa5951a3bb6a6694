using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Storage;
using Contract = IoTIdentity.Protocol.Management;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// The grains' and the store's views as the management API's records (<see cref="Contract"/>): one mapping per record,
/// property for property, so the JSON is the one the views themselves wrote (enum names as strings).
/// </summary>
public static class ManagementViews
{
    /// <summary>A tenant as its owner and the service administrator see it.</summary>
    public static TenantView ToContract(this TenantInfo info) => new(
        info.TenantId, info.Name, new TenantQuota(info.MaxDevices), info.DeviceCount, Pem(info.IssuingCertificate), Pem(info.RootCertificate),
        null, info.ManufacturerRoots.Select(Describe).ToList(), info.OwnCa, info.CreatedAt, EnrollmentScope: info.TenantId);

    /// <summary>A DER certificate as PEM.</summary>
    public static string Pem(byte[] der) => new(PemEncoding.Write("CERTIFICATE", der));

    /// <summary>An API key as listed.</summary>
    public static Contract.ApiKeyView ToContract(this Abstractions.ApiKeyView key) =>
        new(key.KeyId, key.Name, key.Role.ToString(), key.CreatedAt, key.LastUsedAt, key.RevokedAt);

    /// <summary>A new API key, shown once.</summary>
    public static Contract.CreatedApiKey ToContract(this Abstractions.CreatedApiKey key) => new(key.KeyId, key.Key, key.Role.ToString());

    /// <summary>A page of the inventory.</summary>
    public static Page<DeviceSummary> ToContract(this DevicePage page) => new(page.Items.Select(ToContract).ToList(), page.ContinuationToken);

    /// <summary>One inventory row.</summary>
    public static DeviceSummary ToContract(this DeviceRecord d) =>
        new(d.TenantId, d.DeviceId, d.State, d.Firmware, d.CertificateSerial, d.CertificateNotAfter, d.Compliant, d.UpdatedAt, d.GroupId,
            d.LastSeenAt, d.Connected, d.Tags, d.Links);

    /// <summary>One device in full.</summary>
    public static DeviceDetails ToContract(this DeviceView v) => new()
    {
        DeviceId = v.DeviceId, TenantId = v.TenantId, Status = v.Status.ToString(), GroupId = v.GroupId, CertificateSerial = v.CertificateSerial,
        CertificateNotAfter = v.CertificateNotAfter, EnrolledAt = v.EnrolledAt, LastAttestedAt = v.LastAttestedAt, Pcrs = v.Pcrs,
        PastSerials = v.PastSerials, Firmware = v.Firmware, Compliant = v.Compliant, Tpm = v.Tpm,
        Tags = v.Tags, LastSeenAt = v.LastSeenAt, Connected = v.Connected, ReattestRequestedAt = v.ReattestRequestedAt,
        Reattest = v.Reattest is { } r ? new ReattestStatus(r.RequestedAt, r.Progress switch
        {
            ReattestProgress.Attested => ReattestStatus.Attested,
            ReattestProgress.Failed => ReattestStatus.Failed,
            _ => ReattestStatus.Requested,
        }, r.AnsweredAt, r.Reason) : null,
        QuarantineFindingId = v.QuarantineFindingId, QuarantinedSince = v.QuarantinedSince,
        Links = v.Links.Select(l => new DeviceLinkView(l.DeviceId, l.Basis)).ToList(),
    };

    /// <summary>One accepted attestation.</summary>
    public static DeviceAttestation ToContract(this AttestationView a) => new()
    {
        At = a.At, Mode = a.Mode, SerialNumber = a.SerialNumber, Firmware = a.Firmware, Pcrs = a.Pcrs, TpmFirmwareVersion = a.TpmFirmwareVersion,
    };

    /// <summary>One certificate.</summary>
    public static Contract.CertificateView ToContract(this Abstractions.CertificateView c) =>
        new(c.SerialNumber, c.DeviceId, c.NotBefore, c.NotAfter, c.Revoked, c.Reason, c.RevokedAt);

    /// <summary>One transfer and its per-device progress.</summary>
    public static Contract.TransferView ToContract(this Abstractions.TransferView t) => new()
    {
        TransferId = t.TransferId, SourceTenantId = t.SourceTenantId, TargetTenantId = t.TargetTenantId, State = t.State.ToString(),
        CreatedAt = t.CreatedAt, ExpiresAt = t.ExpiresAt, AcceptedAt = t.AcceptedAt, CompletedAt = t.CompletedAt,
        RevokeOldCertificateAt = t.RevokeOldCertificateAt, GroupId = t.GroupId,
        Devices = t.Devices.Select(d => new TransferDevice(d.DeviceId, d.State.ToString(), d.UpdatedAt, d.NewSerialNumber, d.Error)).ToList(),
        Counts = new Contract.TransferCounts(t.Counts.Pending, t.Counts.CommandSent, t.Counts.Reenrolled, t.Counts.Failed),
    };

    /// <summary>One link of the audit chain.</summary>
    public static AuditEntryView ToContract(this AuditEntry e) => new(e.TenantId, e.Sequence,
        AuditChain.ToView(e.Event), e.PreviousHash, e.Hash);

    /// <summary>A signed checkpoint of the audit log.</summary>
    public static Protocol.Audit.AuditCheckpoint ToContract(this AuditCheckpointRecord c) => new(c.TenantId, c.Size, c.HeadHash, c.At, c.KeyId, c.Signature);

    /// <summary>The audit chain's check.</summary>
    public static AuditVerification ToContract(this AuditChainVerification v) =>
        new(v.IsValid, v.EntriesChecked, v.FirstBrokenSequence, v.Fault.ToString(), v.Reason);

    private static ManufacturerRootView Describe(byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        return new ManufacturerRootView(certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            certificate.Subject, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}
