using System.Text.Json;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Microsoft.Extensions.Logging;
using static IoTIdentity.Provisioning.Grains.Enrollment.AttestationChecks;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The end of a successful attest: the tenant's signer issues the certificate, its serial is claimed for the device,
/// and the new identity is recorded (state, audit, inventory) before the device is answered — exactly once per
/// challenge, since a retry with the same nonce gets the recorded reply.
/// </summary>
public sealed class CertificateIssuance(IGrainFactory grains, DeviceLedger ledger, DeviceHandover handover, CertificateHistory history,
    ProvisioningMetrics metrics, TimeProvider clock, ILogger<CertificateIssuance> logger)
{
    /// <summary>
    /// Signs the certificate, then claims its serial and records the new identity (state, audit, inventory) in one store
    /// call, then answers.
    /// <paramref name="remoteAddress"/> is the peer the attest came from (audited for monitoring's per-address bursts).
    /// </summary>
    public async Task<ProtocolReply<IssuedResponse>> IssueAsync(DeviceContext device, PendingChallenge challenge, EnrollmentPolicy policy, byte[] spki,
        VerifiedQuote quote, string? firmware, byte[] evidence, string? remoteAddress = null)
    {
        // checked at the register too; here again, as several challenges may have been open at once
        if (CheckRoomForAnother(device) is { } full) return full;
        // expired certificates move out first: a fault here leaves nothing signed or claimed
        var s = await history.MakeRoomAsync(device, clock.GetUtcNow());
        var signed = await grains.GetGrain<ICertificateSignerGrain>(challenge.TenantId).IssueAsync(new SigningRequest
        {
            SubjectPublicKeyInfo = spki, DeviceId = device.DeviceId, EkPublic = device.State.EkPublic!, Lifetime = policy.CertificateLifetime,
        });

        // two thirds of the time from now to expiry (notBefore is backdated for clock skew, so it is not the start)
        var now = clock.GetUtcNow();
        var issued = new IssuedResponse
        {
            DeviceId = device.DeviceId, Owner = challenge.TenantId, CertificateChain = [signed.CertificateDer, signed.IssuingCaDer],
            SerialNumber = signed.SerialNumber, NotAfter = signed.NotAfter, RenewAfter = now + (signed.NotAfter - now) * 2 / 3,
        };
        var moved = s.Transfer;
        var attestation = new AttestationRecord
        {
            At = now, Pcrs = AttestationRecord.SharePcrs(PcrMap(quote), s.LastAttestation), TpmFirmwareVersion = quote.FirmwareVersion, Firmware = firmware, Mode = challenge.Mode, SerialNumber = signed.SerialNumber,
        };
        // the serial claimed for the device with the record; the audit entry before the inventory: an inventory showing
        // the serial means both are written (see the replay)
        var recorded = await ledger.RecordIssuedAsync(device, s with
        {
            Status = DeviceStatus.Active, TenantId = challenge.TenantId, GroupId = challenge.GroupId, CountedInQuota = true, AkPublic = challenge.AkPublic,
            Current = new IssuedIdentity
            {
                SerialNumber = signed.SerialNumber, CertificateDer = signed.CertificateDer, SubjectPublicKeyInfo = spki,
                NotBefore = signed.NotBefore, NotAfter = signed.NotAfter, TenantId = challenge.TenantId,
            },
            PastSerials = s.Current is null ? s.PastSerials : s.PastSerials.Add(s.Current.SerialNumber),
            Certificates = s.Certificates.Add(new CertificateSummary
            {
                SerialNumber = signed.SerialNumber, TenantId = challenge.TenantId, NotBefore = signed.NotBefore, NotAfter = signed.NotAfter,
            }),
            LastAttestation = attestation,
            Attestations = AttestationRecord.Append(s.Attestations, attestation),
            LastSeenAt = DevicePresence.SeenAt(s, now),
            NonCompliant = false,
            LastCompleted = new CompletedAttest { Nonce = challenge.Nonce, Reply = JsonSerializer.SerializeToUtf8Bytes(issued, ProtocolJson.Default.IssuedResponse) },
            EnrolledAt = s.EnrolledAt ?? now,
            OwnershipChain = s.OwnershipChain ?? await handover.GenesisChainAsync(device.DeviceId, challenge.TenantId, now),
            Transfer = null,
        }, signed.SerialNumber, new DeviceEvent(challenge.TenantId, AuditActions.Attest, "issued", "device", IssuedDetails(s, challenge, signed.SerialNumber, firmware, quote, remoteAddress), evidence));
        if (!recorded) return new Refusal(ProvisioningError.Unavailable, "serial collision; retry");
        if (moved is not null) await handover.CompleteAsync(device, moved, challenge.GroupId, signed.SerialNumber);
        metrics.Issued(challenge.Mode);
        EnrollmentLog.Issued(logger, device.DeviceId, signed.SerialNumber, challenge.TenantId, signed.NotAfter);
        return issued;
    }

    /// <summary>
    /// The issued entry's details: serial, mode, group, firmware and a digest of the quoted PCRs, with the previous
    /// attestation's firmware and PCR digest (what monitoring compares for drift and downgrades), and the peer address
    /// when the endpoint knows it (what monitoring counts enrolment bursts by, beside the group).
    /// </summary>
    private static Dictionary<string, string> IssuedDetails(DeviceState before, PendingChallenge challenge, string serial, string? firmware, VerifiedQuote quote,
        string? remoteAddress)
    {
        var details = new Dictionary<string, string>
        {
            ["serial"] = serial, ["mode"] = challenge.Mode, [Monitoring.MonitoredDetails.Firmware] = firmware ?? "",
            [Monitoring.MonitoredDetails.Group] = challenge.GroupId, [Monitoring.MonitoredDetails.Pcrs] = PcrDigest(PcrMap(quote)),
        };
        if (remoteAddress is { Length: > 0 }) details[Monitoring.MonitoredDetails.Address] = remoteAddress;
        if (before.LastAttestation is { } last)
        {
            details[Monitoring.MonitoredDetails.PreviousFirmware] = last.Firmware ?? "";
            details[Monitoring.MonitoredDetails.PreviousPcrs] = PcrDigest(last.Pcrs);
        }
        return details;
    }

    /// <summary>SHA-256 over "index=value;" of every PCR in index order, lowercase hex.</summary>
    private static string PcrDigest(IReadOnlyDictionary<int, string> pcrs) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.ASCII.GetBytes(string.Concat(pcrs.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value.ToLowerInvariant()};")))));

    /// <summary>Whether the device may be issued another certificate now (<see cref="CertificateHistory.CheckRoomForAnother"/>).</summary>
    public Refusal? CheckRoomForAnother(DeviceContext device) => history.CheckRoomForAnother(device.State, clock.GetUtcNow());

    /// <summary>
    /// A store fault after the certificate was recorded in the device's state answered Unavailable before the audit
    /// entry or the inventory were written; the retried attest writes what is missing before it answers again.
    /// </summary>
    public async Task<ProtocolReply<IssuedResponse>> CompleteRecordsAsync(DeviceContext device, CompletedAttest done, byte[] evidence)
    {
        var issued = JsonSerializer.Deserialize(done.Reply, ProtocolJson.Default.IssuedResponse)!;
        if (!await ledger.ShowsSerialAsync(device, issued.Owner, issued.SerialNumber))
        {
            await ledger.AuditAsync(device, new DeviceEvent(issued.Owner, AuditActions.Attest, "issued", "device",
                new Dictionary<string, string> { ["serial"] = issued.SerialNumber, ["completed"] = "on retry" }, evidence));
            await ledger.UpdateInventoryAsync(device);
        }
        return issued;
    }
}
