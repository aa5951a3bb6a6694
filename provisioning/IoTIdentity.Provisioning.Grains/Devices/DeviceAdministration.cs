using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// What an operator of the owning tenant does to a device: look at it and its certificates, disable or enable it,
/// revoke it or one of its certificates. A tenant that does not own the device sees nothing and changes nothing.
/// Sessions are closed by the caller (<see cref="Revocations"/>, which every revocation goes through). Disabling or
/// revoking a transferred device before it re-enrols cuts its old owner off at once (<see cref="DeviceHandover.CutOffPendingAsync"/>).
/// </summary>
public sealed class DeviceAdministration(IGrainFactory grains, DeviceLedger ledger, Revocations revocations, DeviceHandover handover, CertificateHistory history)
{
    /// <summary>The device as an operator of <paramref name="tenantId"/> sees it, its archived serials among the past ones, or null if not theirs.</summary>
    public async Task<DeviceView?> ViewWithHistoryAsync(DeviceContext device, string tenantId)
    {
        if (View(device, tenantId) is not { } view) return null;
        if (device.State.ArchivedPages == 0) return view;
        return view with { PastSerials = [.. (await history.ArchivedAsync(device)).Select(c => c.SerialNumber), .. view.PastSerials] };
    }

    /// <summary>The device as an operator of <paramref name="tenantId"/> sees it (past serials: those in its state), or null if not theirs.</summary>
    public DeviceView? View(DeviceContext device, string tenantId)
    {
        var s = device.State;
        // a device is a tenant's only once its TPM proved itself there (an open challenge binds nothing)
        if (s.TenantId != tenantId || s.Status == DeviceStatus.Unknown && s.Current is null) return null;
        return new DeviceView
        {
            DeviceId = device.DeviceId, TenantId = tenantId, Status = s.Status, GroupId = s.GroupId,
            CertificateSerial = s.Current?.SerialNumber, CertificateNotAfter = s.Current?.NotAfter, EnrolledAt = s.EnrolledAt,
            LastAttestedAt = s.LastAttestation?.At, Pcrs = s.LastAttestation?.Pcrs, PastSerials = s.PastSerials,
            Firmware = s.LastAttestation?.Firmware, Compliant = !s.NonCompliant, Tpm = s.Tpm, Links = s.Links,
            Tags = s.Tags, LastSeenAt = s.LastSeenAt, Connected = s.Connected, ReattestRequestedAt = DeviceReattestation.OpenSince(s),
            Reattest = DeviceReattestation.Status(s),
            QuarantineFindingId = s.Quarantine?.FindingId, QuarantinedSince = s.Quarantine?.Since,
        };
    }

    /// <summary>The device's recent accepted attestations, newest first (the last one alone for a device attested before the history was kept).</summary>
    public IReadOnlyList<AttestationView>? Attestations(DeviceContext device, string tenantId)
    {
        if (View(device, tenantId) is null) return null;
        var s = device.State;
        var history = s.Attestations.IsEmpty && s.LastAttestation is { } last ? System.Collections.Immutable.ImmutableList.Create(last) : s.Attestations;
        return [.. history.Reverse().Select(a => a.ToView())];
    }

    /// <summary>Replaces the device's tags (already normalized by <see cref="DeviceTags"/>); false if it is not the tenant's.</summary>
    public async Task<bool> SetTagsAsync(DeviceContext device, string tenantId, IReadOnlyList<string> tags, string actor)
    {
        var s = device.State;
        if (View(device, tenantId) is null) return false;
        if (s.Tags.SequenceEqual(tags, StringComparer.Ordinal)) return true;
        await ledger.RecordAsync(device, s with { Tags = [.. tags] },
            new DeviceEvent(tenantId, AuditActions.DeviceTags, "done", actor, new Dictionary<string, string>
            {
                ["before"] = string.Join(' ', s.Tags), ["after"] = string.Join(' ', tags),
            }));
        return true;
    }

    /// <summary>Disables (or re-enables) the device; false if it is not the tenant's or is revoked.</summary>
    public async Task<bool> SetDisabledAsync(DeviceContext device, string tenantId, bool disabled, string actor)
    {
        var s = device.State;
        if (s.TenantId != tenantId || s.Status == DeviceStatus.Revoked) return false;
        var status = disabled ? DeviceStatus.Disabled
            : s.Transfer is not null ? DeviceStatus.Transferring : s.Current is null ? DeviceStatus.Unknown : DeviceStatus.Active;
        await ledger.RecordAsync(device, s with { Status = status, Challenges = [] },
            new DeviceEvent(tenantId, disabled ? AuditActions.Disable : AuditActions.Enable, "done", actor));
        // a transferred device the new owner disables before it re-enrols: the old owner's certificates do not outlive the acceptance
        if (disabled) await handover.CutOffPendingAsync(device);
        return true;
    }

    /// <summary>
    /// Revokes the device for good: every certificate the tenant issued it goes on the tenant's CRL (those in its state:
    /// the archived ones have expired, <see cref="CertificateHistory"/>).
    /// </summary>
    public async Task<bool> RevokeAsync(DeviceContext device, string tenantId, CrlReason reason, string actor)
    {
        var s = device.State;
        if (s.TenantId != tenantId) return false;
        await revocations.PutOnCrlAsync(tenantId, device.DeviceId, s.Serials.Where(serial => IsIssuedBy(s, serial, tenantId)), reason);
        await ledger.RecordAsync(device, s with { Status = DeviceStatus.Revoked, Challenges = [] },
            new DeviceEvent(tenantId, AuditActions.Revoke, "done", actor, new Dictionary<string, string> { ["reason"] = CrlReasonNames.NameOf(reason) }));
        await handover.CutOffPendingAsync(device);
        return true;
    }

    /// <summary>Puts one certificate the tenant issued the device on the tenant's CRL; the device may enrol again.</summary>
    public async Task<CertificateRevocationOutcome> RevokeCertificateAsync(DeviceContext device, string tenantId, string serialNumber, CrlReason reason, string actor)
    {
        var s = device.State;
        if (!(await FindIssuedAsync(device, serialNumber, tenantId)).Issued) return CertificateRevocationOutcome.NotFound;
        await revocations.PutOnCrlAsync(tenantId, device.DeviceId, [serialNumber], reason);
        await ledger.AuditAsync(device, new DeviceEvent(tenantId, AuditActions.RevokeCertificate, "done", actor,
            new Dictionary<string, string> { ["serial"] = serialNumber, ["reason"] = CrlReasonNames.NameOf(reason) }));
        return s.Current?.SerialNumber == serialNumber ? CertificateRevocationOutcome.RevokedCurrent : CertificateRevocationOutcome.Revoked;
    }

    /// <summary>A certificate the tenant issued the device, with its revocation, or null if it is not one.</summary>
    public async Task<CertificateView?> GetCertificateAsync(DeviceContext device, string tenantId, string serialNumber)
    {
        var s = device.State;
        var (issued, summary) = await FindIssuedAsync(device, serialNumber, tenantId);
        if (!issued) return null;
        var current = s.Current?.SerialNumber == serialNumber ? s.Current : null;
        var revocation = await grains.GetGrain<ITenantGrain>(tenantId).GetRevocationAsync(serialNumber);
        return new CertificateView
        {
            SerialNumber = serialNumber, DeviceId = device.DeviceId,
            NotBefore = summary?.NotBefore ?? current?.NotBefore, NotAfter = summary?.NotAfter ?? current?.NotAfter,
            Revoked = revocation is not null, RevokedAt = revocation?.RevokedAt,
            Reason = revocation is null ? null : CrlReasonNames.NameOf((CrlReason)revocation.Reason),
        };
    }

    /// <summary>
    /// Whether <paramref name="tenantId"/> issued the device the certificate: by the recorded issuer, or — for
    /// certificates from before issuers were recorded — by the device's owner holding it now or earlier.
    /// </summary>
    private static bool IsIssuedBy(DeviceState s, string serialNumber, string tenantId) => IssuerOf(s, serialNumber) is { } issuer
        ? issuer == tenantId
        : s.TenantId == tenantId && s.PastSerials.Contains(serialNumber);

    /// <summary>
    /// The certificate's summary, from the device's state or (for a serial the state no longer holds) its archive, read
    /// once; and whether <paramref name="tenantId"/> issued it — by the summary's issuer, else as <see cref="IsIssuedBy"/>.
    /// </summary>
    private async Task<(bool Issued, CertificateSummary? Summary)> FindIssuedAsync(DeviceContext device, string serialNumber, string tenantId)
    {
        var summary = await history.FindAsync(device, serialNumber);
        return (summary is not null ? summary.TenantId == tenantId : IsIssuedBy(device.State, serialNumber, tenantId), summary);
    }

    /// <summary>The tenant that issued one of the certificates in the device's state, when its history records it.</summary>
    private static string? IssuerOf(DeviceState s, string serialNumber) =>
        s.Certificates.FirstOrDefault(c => c.SerialNumber == serialNumber)?.TenantId
        ?? (s.Current?.SerialNumber == serialNumber ? s.Current.TenantId : null);
}
