using System.Diagnostics;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.Keys;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains.Audit;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using Microsoft.Extensions.Logging;
using static IoTIdentity.Provisioning.Grains.Enrollment.AttestationChecks;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The enrolment state machine of one device. Both protocol steps run their checks in the documented order, write
/// the new state durably (ETag-guarded), record the decision in the audit log, and only then answer; a refusal is
/// a value returned to the edge. Operator actions, firmware compliance and the transfer hand-over are the device's
/// collaborators' (<see cref="DeviceAdministration"/>, <see cref="FirmwareCompliance"/>, <see cref="DeviceHandover"/>).
/// </summary>
public sealed class DeviceGrain(
    [PersistentState("device", ProvisioningStorage.Name)] IPersistentState<DeviceState> state,
    EnrollmentResolver resolver,
    ChallengeMaker challenges,
    CertificateIssuance issuance,
    DeviceLedger ledger,
    DeviceAdministration administration,
    FirmwareCompliance compliance,
    DeviceHandover handover,
    DeviceQuarantine quarantine,
    TpmLinks links,
    DevicePresence presence,
    DeviceReattestation reattestation,
    Tokens.TokenIssuance tokens,
    ProvisioningMetrics metrics,
    RefusalAggregator refusals,
    TimeProvider clock,
    ILogger<DeviceGrain> logger) : Grain, IDeviceGrain
{
    /// <summary>The tenant whose enrolment admitted the register being handled (its refusals belong in that tenant's log).</summary>
    private string? _resolvedTenant;

    /// <summary>The tenants whose enrolments all admitted an unowned, unscoped device (an <see cref="ProvisioningError.AmbiguousOwner"/> is logged in each).</summary>
    private readonly List<string> _contenders = [];

    /// <summary>The enrolment group of the request being handled, when known (its refusals carry it for monitoring).</summary>
    private string? _resolvedGroup;

    /// <summary>The certificate serial a renewal being handled presented (a refusal records it beside the current one).</summary>
    private string? _presentedSerial;

    /// <summary>The attest being handled got past credential activation: its TPM holds the device's EK, so a refusal from here on is the device's own answer.</summary>
    private bool _activated;

    private DeviceContext? _device;

    private DeviceContext Device => _device ??= new DeviceContext(this.GetGrainId(), state);

    private string DeviceId => Device.DeviceId;

    public Task<ProtocolReply<ChallengeResponse>> RegisterAsync(ProtocolRequest<RegisterRequest> request) =>
        HandleAsync(Topics.Operations.Register, request.Evidence, request.RemoteAddress,
            () => RegisterCoreAsync(request.Message, request.Evidence, request.RemoteAddress));

    public async Task<ProtocolReply<IssuedResponse>> AttestAsync(ProtocolRequest<AttestRequest> request)
    {
        var reply = await HandleAsync(Topics.Operations.Attest, request.Evidence, request.RemoteAddress,
            () => AttestCoreAsync(request.Message, request.Evidence, request.RemoteAddress));
        // a device is busy for one register and its attest, then idle until its next renewal (days): once its certificate
        // is issued and no other challenge is open, this activation holds nothing its stored state does not, so it leaves
        // memory now rather than after DeviceIdleTime — a burst of enrolments keeps the devices in flight, not the last
        // DeviceIdleTime's worth of them (which the GC would copy and mark over and over)
        if (reply.Refusal is null && state.State.Challenges.IsEmpty) DeactivateOnIdle();
        return reply;
    }

    public Task<ProtocolReply<TokenResponse>> RequestTokenAsync(ProtocolRequest<TokenRequest> request) =>
        HandleAsync(Topics.Operations.Token, request.Evidence, request.RemoteAddress, () => tokens.IssueAsync(Device, request.Message, request.Evidence));

    public Task<ProtocolReply<TokenResponse>> RequestTokenWithCertificateAsync(ProtocolRequest<CertificateTokenRequest> request, byte[] certificate) =>
        HandleAsync(Topics.Operations.Token, request.Evidence, request.RemoteAddress, () => tokens.IssueForPresentedAsync(Device, request.Message, certificate, request.Evidence));

    private async Task<ProtocolReply<ChallengeResponse>> RegisterCoreAsync(RegisterRequest request, byte[] evidence, string? remoteAddress)
    {
        // 1. register: derive the id from the EK, find the enrolment, check EK binding and AK, then challenge
        var ek = Parse<TpmtPublic>(request.EkPublic, "EK public area");
        if (ek.IsRefused) return ek.Refusal;
        if (Protocol.DeviceIds.FromEkPublic(request.EkPublic) != DeviceId) return new Refusal(ProvisioningError.NotAuthorized, "the EK does not derive this device id");
        var ak = Parse<TpmtPublic>(request.AkPublic, "AK public area");
        if (ak.IsRefused) return ak.Refusal;
        if (request.EkCertificate is null or { Length: 0 }) return new Refusal(ProvisioningError.MalformedRequest, "EK certificate missing");

        // a device moving to a new owner enrols with the new owner's groups (the transfer lifts the one-owner rule for it);
        // an owned device resolves to its owner, an unowned one within the scope it names, or to the one tenant that admits it
        var resolved = state.State.Transfer is { } moving
            ? await resolver.ResolveForTenantAsync(moving.TargetTenantId, moving.GroupId, request.EkCertificate, request.EkIntermediates ?? [])
            : await resolver.ResolveAsync(DeviceId, state.State.TenantId, request.EnrollmentScope, request.ClaimCode, request.EkCertificate, request.EkIntermediates ?? [], _contenders);
        if (resolved.IsRefused) return resolved.Refusal;
        var policy = resolved.Value.Policy;
        _resolvedTenant = policy.TenantId;
        _resolvedGroup = policy.GroupId;
        var current = state.State;
        var refusal = CheckEkBinding(ek.Value, resolved.Value.Certificate)
            ?? EkIdentity.CheckDefaultTemplate(ek.Value, request.EkPublic)
            ?? (policy.Enabled ? null : new Refusal(ProvisioningError.Disabled, "enrolment group disabled"))
            ?? CheckStanding(current, policy.TenantId)
            ?? CheckAttestationKey(ak.Value);
        if (refusal is not null) return refusal;
        // one key, one id: a key another id already attested with (the same key in another default template) stays that id's;
        // a device that has enrolled holds its own key's claim (claimed before its first certificate, never released)
        if (!HoldsEkClaim(current) && await ledger.EkKeyOwnerAsync(EkIdentity.Fingerprint(ek.Value)) is { } keyOwner && keyOwner != DeviceId)
            return new Refusal(ProvisioningError.EkMismatch, $"this EK key belongs to device {keyOwner}");

        var mode = request.Mode;
        if (mode == RegisterModes.Renew)
        {
            // the old owner's certificate cannot renew into the new owner: the agent answers this by enrolling again
            if (current.Transfer is not null) return new Refusal(ProvisioningError.NotEnrolled, "ownership moved: enrol again");
            _presentedSerial = request.Renewal?.CertificateSerial;
            if (CheckRenewal(DeviceId, request, current.Current, clock.GetUtcNow()) is { } notRenewable) return notRenewable;
            if (await GrainFactory.GetGrain<ITenantGrain>(current.Current!.TenantId).GetRevocationAsync(current.Current.SerialNumber) is not null)
                return new Refusal(ProvisioningError.Revoked, $"certificate {current.Current.SerialNumber} is revoked; enrol again");
        }
        else if (mode != RegisterModes.Enroll) return new Refusal(ProvisioningError.MalformedRequest, $"unknown mode {mode}");
        // a device holding the most valid certificates it may waits for the oldest to expire (its state keeps each one)
        if (issuance.CheckRoomForAnother(Device) is { } full) return full;

        // nothing durable (quota, binding, inventory, state): anyone holding the public EK data can get this far; the
        // challenge lives in this activation, which stays at least until the challenge expires
        var (challenge, reply) = challenges.Make(DeviceId, ek.Value, ak.Value, request, policy, remoteAddress);
        var now = clock.GetUtcNow();
        var open = OpenChallenges.Add(current.Challenges, challenge, now);
        if (open.IsRefused) return open.Refusal;
        Device.Hold(current with
        {
            Status = current.Status == DeviceStatus.Unknown ? DeviceStatus.Challenged : current.Status,
            EkPublic = request.EkPublic,
            Tpm = resolved.Value.Certificate.HardwareSerial?.ToString(),
            AuditTenantId = policy.TenantId,
            Challenges = open.Value,
        });
        DelayDeactivation(challenge.ExpiresAt - now);
        // a device without a certificate is anyone: past a few per window, its accepted registers are one entry per source
        if (current.Current is not null || refusals.ShouldAuditIndividually(policy.TenantId, remoteAddress, DeviceId, AuditActions.Register, "challenged"))
            await ledger.AuditAsync(Device, new DeviceEvent(policy.TenantId, AuditActions.Register, "challenged", "device",
                new Dictionary<string, string> { ["mode"] = mode, ["group"] = policy.GroupId }, evidence));
        EnrollmentLog.Challenged(logger, DeviceId, mode, policy.TenantId, policy.GroupId);
        return reply;
    }

    /// <summary>
    /// Whether the device's EK key is claimed for it already: its first certificate is recorded only after the claim
    /// succeeded, and an EK key's claim is never released, so a device that has enrolled holds it for good.
    /// </summary>
    private static bool HoldsEkClaim(DeviceState current) => current.EnrolledAt is not null;

    /// <summary>Whether the device may enrol with <paramref name="tenantId"/> now: not revoked, not another tenant's, not disabled.</summary>
    private static Refusal? CheckStanding(DeviceState current, string tenantId) =>
        current.Status == DeviceStatus.Revoked ? new Refusal(ProvisioningError.Revoked, "device revoked")
        // another tenant's enrolment matching an owned device must not take it over: ownership moves only by transfer
        : current.Current is not null && current.TenantId != tenantId ? new Refusal(ProvisioningError.NotEnrolled, $"device is owned by another tenant than {tenantId}")
        : current.Status == DeviceStatus.Disabled ? new Refusal(ProvisioningError.Disabled, "device disabled")
        : current.Quarantine is not null ? new Refusal(ProvisioningError.Disabled, "device quarantined")
        : null;

    private async Task<ProtocolReply<IssuedResponse>> AttestCoreAsync(AttestRequest request, byte[] evidence, string? remoteAddress)
    {
        // 2. attest: the answer to the open challenge, checked in order; the challenge is spent whatever the outcome
        var current = state.State;
        if (current.LastCompleted is { } done && request.Nonce is not null && CryptographicOperations.FixedTimeEquals(done.Nonce, request.Nonce))
        {
            EnrollmentLog.Replayed(logger, DeviceId);
            return await issuance.CompleteRecordsAsync(Device, done, evidence);
        }
        if (OpenChallenges.Find(current.Challenges, request.Nonce) is not { } challenge)
            return new Refusal(ProvisioningError.NoChallenge, "the nonce is not an open challenge's");
        _resolvedTenant = challenge.TenantId;
        _resolvedGroup = challenge.GroupId;
        // spent before any check, whatever the outcome (in this activation only: a challenge is never stored)
        var others = current.Challenges.Remove(challenge);
        Device.Hold(current with
        {
            Challenges = others,
            Status = current.Current is not null ? current.Status : others.IsEmpty ? DeviceStatus.Unknown : DeviceStatus.Challenged,
        });
        if (clock.GetUtcNow() > challenge.ExpiresAt) return new Refusal(ProvisioningError.ChallengeExpired, "challenge expired");

        if (CheckActivation(challenge.Secret, request.ActivatedSecret) is { } notActivated) return notActivated;
        _activated = true;
        using var ak = new TpmVerificationKey(TpmMarshal.FromBytes<TpmtPublic>(challenge.AkPublic)); // one import: quote and certify
        var quote = CheckQuote(ak, challenge, request);
        if (quote.IsRefused) return quote.Refusal;
        if ((await resolver.GetPolicyAsync(new GroupKey(challenge.TenantId, challenge.GroupId)))?.Policy is not { } policy)
            return new Refusal(ProvisioningError.NotEnrolled, "the enrolment group was deleted");
        if (CheckPcrPolicy(policy, quote.Value) is { } pcrsNotAllowed) return pcrsNotAllowed;
        var firmware = CheckFirmware(policy, challenge, quote.Value);
        if (firmware.IsRefused)
        {
            // a device with a certificate now fails the firmware policy (a renewal after the policy changed): list it as non-compliant
            if (state.State.Current is not null) await compliance.MarkNonCompliantAsync(Device);
            return firmware.Refusal;
        }
        var certified = CheckCertify(ak, challenge, request);
        if (certified.IsRefused) return certified.Refusal;
        var spki = CheckCsr(request.Csr, certified.Value);
        if (spki.IsRefused) return spki.Refusal;

        // the TPM proved itself: only now does the key become this id's and the device count against the tenant's quota
        var ek = TpmMarshal.FromBytes<TpmtPublic>(state.State.EkPublic!);
        if (!HoldsEkClaim(state.State) && !await ledger.ClaimEkKeyAsync(Device, EkIdentity.Fingerprint(ek)))
            return new Refusal(ProvisioningError.EkMismatch, "this EK key belongs to another device id");
        var group = new GroupKey(challenge.TenantId, challenge.GroupId);
        var s = state.State;
        var admitted = s.CountedInQuota && s.TenantId == challenge.TenantId && s.GroupId == challenge.GroupId;
        if (!admitted && !await GrainFactory.GetGroupGrain(group).TryAdmitAsync(DeviceId))
            return new Refusal(ProvisioningError.QuotaExceeded, $"group {group} or tenant {challenge.TenantId} quota used up");
        var issued = await issuance.IssueAsync(Device, challenge, policy, spki.Value, quote.Value, firmware.Value.Release, evidence, remoteAddress);
        // bound to a tenant for the first time: its other EKs' ids there are the same device
        if (!admitted && issued.Refusal is null) await links.LinkSameTpmAsync(Device, challenge.TenantId);
        return issued;
    }

    private async Task<ProtocolReply<T>> HandleAsync<T>(string operation, byte[] evidence, string? remoteAddress, Func<Task<ProtocolReply<T>>> step) where T : class
    {
        var started = Stopwatch.GetTimestamp();
        _resolvedTenant = null;
        _resolvedGroup = null;
        _presentedSerial = null;
        _activated = false;
        _contenders.Clear();
        ProtocolReply<T> reply;
        try
        {
            reply = await step();
        }
        catch (Exception e) when (StorageFaults.IsStorageFault(e))
        {
            // a fault, not a refusal: nothing was answered, the device retries; this activation may be stale (lost ETag race)
            EnrollmentLog.Failed(logger, e, DeviceId, operation);
            DeactivateOnIdle();
            reply = new Refusal(ProvisioningError.Unavailable, "storage unavailable", RetryAfterSeconds: 1);
            metrics.Handled(operation, ProvisioningError.Unavailable, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return reply;
        }
        if (reply.Refusal is { } refusal)
        {
            await RecordRefusalCoreAsync(operation, refusal, evidence, remoteAddress);
            if (_activated) await RecordReattestRefusalAsync(refusal);
        }
        metrics.Handled(operation, reply.Refusal?.Error, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        LeaveIfBlank();
        return reply;
    }

    /// <summary>
    /// After a device's request (register, attest, token, or a request the edge could not parse): an activation that
    /// holds nothing at all (<see cref="DeviceContext.Blank"/>: no stored record, no challenge ever held) leaves memory
    /// now, or a flood of requests for made-up ids — refused, since no such device's EK certificate chains to a trusted
    /// manufacturer — would keep one activation each for <see cref="ProvisioningOptions.DeviceIdleTime"/>. A device the
    /// store knows keeps its grain after a refusal (one retrying a refused call pays no activation each time), and so does
    /// one whose register was accepted: its challenge, and after it the tenant whose log its refusals go to, live only here.
    /// </summary>
    private void LeaveIfBlank()
    {
        if (Device.Blank) DeactivateOnIdle();
    }

    /// <summary>An open re-attest request's answer was refused; a store fault here loses only that status, never the refusal's reply.</summary>
    private async Task RecordReattestRefusalAsync(Refusal refusal)
    {
        try
        {
            await reattestation.RecordRefusalAsync(Device, refusal);
        }
        catch (Exception e) when (StorageFaults.IsStorageFault(e))
        {
            EnrollmentLog.Failed(logger, e, DeviceId, "reattest status");
            DeactivateOnIdle();
        }
    }

    public async Task RecordRefusalAsync(string operation, Refusal refusal, byte[] evidence, string? remoteAddress)
    {
        _resolvedTenant = null;
        _resolvedGroup = null;
        _presentedSerial = null;
        _contenders.Clear();
        await RecordRefusalCoreAsync(operation, refusal, evidence, remoteAddress);
        metrics.Handled(operation, refusal.Error, 0);
        LeaveIfBlank();
    }

    private async Task RecordRefusalCoreAsync(string operation, Refusal refusal, byte[] evidence, string? remoteAddress)
    {
        EnrollmentLog.Refused(logger, DeviceId, operation, refusal.Error, refusal.Detail);
        try
        {
            var tenant = _resolvedTenant ?? state.State.TenantId ?? state.State.AuditTenantId;
            // an ambiguous owner: every contender sees the refused attempt, and the service's unassigned log too
            IEnumerable<string?> logs = _contenders.Count > 0 ? [null, .. _contenders] : [tenant];
            var details = RefusalDetails();
            // a device without a certificate is anyone: past a few per window, its refusals are counted into one entry per source
            var anonymous = state.State.Current is null;
            foreach (var log in logs)
                if (!anonymous || refusals.ShouldAuditIndividually(log ?? AuditTrail.Unassigned, remoteAddress, DeviceId, operation, refusal.Error))
                    await ledger.AuditAsync(Device, new DeviceEvent(log, operation, $"refused:{refusal.Error}", "device", details, evidence));
        }
        catch (StoreUnavailableException e)
        {
            EnrollmentLog.Failed(logger, e, DeviceId, "audit");
        }
    }

    /// <summary>What monitoring reads beside a refusal: the group, and a renewal's presented serial next to the current one.</summary>
    private Dictionary<string, string>? RefusalDetails()
    {
        var details = new Dictionary<string, string>();
        if (_resolvedGroup is { } group) details[Monitoring.MonitoredDetails.Group] = group;
        if (_presentedSerial is { } presented && state.State.Current is { } current)
        {
            details[Monitoring.MonitoredDetails.PresentedSerial] = presented;
            details[Monitoring.MonitoredDetails.CurrentSerial] = current.SerialNumber;
        }
        return details.Count == 0 ? null : details;
    }

    public Task<DeviceView?> GetAsync(string tenantId) => administration.ViewWithHistoryAsync(Device, tenantId);

    public Task<bool> AddLinkAsync(string tenantId, string otherDeviceId, string basis, string actor) => links.AddAsync(Device, tenantId, otherDeviceId, basis, actor);

    public Task<bool> RemoveLinkAsync(string tenantId, string otherDeviceId, string actor) => links.RemoveAsync(Device, tenantId, otherDeviceId, actor);

    public Task<bool> IsOwnedByAnotherTenantAsync(string tenantId) => Task.FromResult(state.State.TenantId is { } owner && owner != tenantId);

    public Task<bool> SetTagsAsync(string tenantId, IReadOnlyList<string> tags, string actor) => administration.SetTagsAsync(Device, tenantId, tags, actor);

    public Task RecordPresenceAsync(bool connected, DateTimeOffset at) => presence.RecordAsync(Device, connected, at);

    public async Task<bool> ReindexAsync(string tenantId)
    {
        if (administration.View(Device, tenantId) is null) return false;
        await ledger.UpdateInventoryAsync(Device);
        return true;
    }

    public Task<bool> SetDisabledAsync(string tenantId, bool disabled, string actor) => administration.SetDisabledAsync(Device, tenantId, disabled, actor);

    public Task<bool> RevokeAsync(string tenantId, CrlReason reason, string actor) => administration.RevokeAsync(Device, tenantId, reason, actor);

    public Task<CertificateRevocationOutcome> RevokeCertificateAsync(string tenantId, string serialNumber, CrlReason reason, string actor) =>
        administration.RevokeCertificateAsync(Device, tenantId, serialNumber, reason, actor);

    public Task<CertificateView?> GetCertificateAsync(string tenantId, string serialNumber) => administration.GetCertificateAsync(Device, tenantId, serialNumber);

    public Task<bool?> RecheckFirmwareAsync(string tenantId, string groupId, IReadOnlyList<string> allowedReleases) =>
        compliance.RecheckAsync(Device, tenantId, groupId, allowedReleases);

    public Task<TransferReservationResult> ReserveForTransferAsync(string sourceTenantId, string transferId, DateTimeOffset expiresAt) =>
        handover.ReserveAsync(Device, sourceTenantId, transferId, expiresAt);

    public Task ReleaseTransferAsync(string transferId) => handover.ReleaseAsync(Device, transferId);

    public Task<TransferDeviceOutcome> BeginTransferAsync(TransferOrder order) => handover.BeginAsync(Device, order);


    public Task<byte[]?> GetOwnershipAsync(string tenantId) => handover.GetOwnershipAsync(Device, tenantId);

    public Task<bool> QuarantineAsync(string tenantId, string findingId, string actor) => quarantine.QuarantineAsync(Device, tenantId, findingId, actor);

    public Task<bool> ReleaseQuarantineAsync(string tenantId, string actor) => quarantine.ReleaseAsync(Device, tenantId, actor);

    public Task<ReattestRequest> RequestReattestAsync(string tenantId, string actor) => reattestation.RequestAsync(Device, tenantId, actor);

    public async Task ResendCommandsAsync()
    {
        await handover.ResendCommandAsync(Device);
        await reattestation.ResendAsync(Device);
    }

    public Task<IReadOnlyList<AttestationView>?> GetAttestationsAsync(string tenantId) => Task.FromResult(administration.Attestations(Device, tenantId));
}
