using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.Protocol;
using IoTIdentity.Protocol.Messages;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Storage;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static IoTIdentity.Provisioning.Grains.Enrollment.AttestationChecks;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>
/// The enrolment state machine of one device. Both protocol steps run their checks in the documented order, write
/// the new state durably (ETag-guarded), record the decision in the audit log, and only then answer.
/// </summary>
public sealed partial class DeviceGrain(
    [PersistentState("device", ProvisioningStorage.Name)] IPersistentState<DeviceState> state,
    EnrollmentResolver resolver,
    IProvisioningStore store,
    AuditTrail audit,
    DeviceCommandPublisher commands,
    Revocations revocations,
    ProvisioningMetrics metrics,
    TimeProvider clock,
    RandomNumberGenerator random,
    IOptions<ProvisioningOptions> options,
    ILogger<DeviceGrain> logger) : Grain, IDeviceGrain
{
    private static readonly KeyRequirements AkRequirements = KeyRequirements.Default;

    /// <summary>The tenant whose enrolment admitted the register being handled (its refusals belong in that tenant's log).</summary>
    private string? _resolvedTenant;

    private string DeviceId => this.GetPrimaryKeyString();

    public Task<DeviceReplyMessage> RegisterAsync(byte[] requestJson, string? remoteAddress) =>
        HandleAsync(Topics.Operations.Register, requestJson, () => RegisterCoreAsync(requestJson));

    public Task<DeviceReplyMessage> AttestAsync(byte[] requestJson, string? remoteAddress) =>
        HandleAsync(Topics.Operations.Attest, requestJson, () => AttestCoreAsync(requestJson));

    private async Task<DeviceReplyMessage> RegisterCoreAsync(byte[] json)
    {
        // 1. register: parse, derive the id from the EK, find the enrolment, check EK binding and AK, then challenge
        var request = Deserialize(json, ProtocolJson.Default.RegisterRequest);
        var ek = Parse<TpmtPublic>(request.EkPublic, "EK public area");
        if (DeviceIds.FromEkPublic(request.EkPublic) != DeviceId)
            throw new Refusal(ProvisioningError.NotAuthorized, "the EK does not derive this device id");
        var ak = Parse<TpmtPublic>(request.AkPublic, "AK public area");
        if (request.EkCertificate is null or { Length: 0 }) throw new Refusal(ProvisioningError.MalformedRequest, "EK certificate missing");

        // a device moving to a new owner enrols with the new owner's groups (the transfer lifts the one-owner rule for it)
        var (policy, ekCertificate) = state.State.Transfer is { } moving
            ? await resolver.ResolveForTenantAsync(moving.TargetTenantId, moving.GroupId, request.EkCertificate, request.EkIntermediates ?? [])
            : await resolver.ResolveAsync(DeviceId, request.EkCertificate, request.EkIntermediates ?? []);
        _resolvedTenant = policy.TenantId;
        Verify(() => { EkBinding.CheckMatches(ek, ekCertificate.PublicKey); return 0; }, ProvisioningError.EkMismatch);
        if (!policy.Enabled) throw new Refusal(ProvisioningError.Disabled, "enrolment group disabled");
        var current = state.State;
        if (current.Status == DeviceStatus.Revoked) throw new Refusal(ProvisioningError.Revoked, "device revoked");
        if (current.Current is not null && current.TenantId != policy.TenantId)
            // another tenant's enrolment matching an owned device must not take it over: ownership moves only by transfer
            throw new Refusal(ProvisioningError.NotEnrolled, $"device is owned by another tenant than {policy.TenantId}");
        if (current.Status == DeviceStatus.Disabled) throw new Refusal(ProvisioningError.Disabled, "device disabled");
        Verify(() => { AkRequirements.CheckAttestationKey(ak); return 0; }, ProvisioningError.InvalidAttestationKey);

        var mode = request.Mode;
        if (mode == RegisterModes.Renew && current.Transfer is not null)
            // the old owner's certificate cannot renew into the new owner: the agent answers this by enrolling again
            throw new Refusal(ProvisioningError.NotEnrolled, "ownership moved: enrol again");
        if (mode == RegisterModes.Renew)
        {
            CheckRenewal(DeviceId, request, current.Current, clock.GetUtcNow());
            if (await GrainFactory.GetGrain<ITenantGrain>(current.Current!.TenantId).GetRevocationAsync(current.Current.SerialNumber) is not null)
                throw new Refusal(ProvisioningError.Revoked, $"certificate {current.Current.SerialNumber} is revoked; enrol again");
        }
        else if (mode != RegisterModes.Enroll) throw new Refusal(ProvisioningError.MalformedRequest, $"unknown mode {mode}");

        var groupKey = $"{policy.TenantId}/{policy.GroupId}";
        var admitted = current.CountedInQuota && current.TenantId == policy.TenantId && current.GroupId == policy.GroupId;
        if (!admitted && !await GrainFactory.GetGrain<IEnrollmentGroupGrain>(groupKey).TryAdmitAsync(DeviceId))
            throw new Refusal(ProvisioningError.QuotaExceeded, $"group {groupKey} or tenant {policy.TenantId} quota used up");

        var made = CredentialMaker.Make(ek, TpmNames.Compute(ak.NameAlg, request.AkPublic), random);
        var nonce = new byte[32];
        random.GetBytes(nonce);
        var selection = TpmMarshal.ToBytes(TpmlPcrSelection.Of(TpmAlgId.Sha256, [.. policy.PcrIndices]));
        var expires = clock.GetUtcNow() + options.Value.ChallengeLifetime;
        state.State = current with
        {
            Status = current.Status == DeviceStatus.Unknown ? DeviceStatus.Challenged : current.Status,
            EkPublic = request.EkPublic,
            CountedInQuota = true,
            TenantId = current.Current is null ? policy.TenantId : current.TenantId,
            GroupId = current.Current is null ? policy.GroupId : current.GroupId,
            Challenge = new PendingChallenge
            {
                Nonce = nonce, Secret = made.Secret, AkPublic = request.AkPublic, PcrSelection = selection, ExpiresAt = expires,
                TenantId = policy.TenantId, GroupId = policy.GroupId, Mode = mode, EventLog = request.EventLog,
            },
            UpdatedAt = clock.GetUtcNow(),
        };
        await state.WriteStateAsync();
        await audit.RecordAsync(policy.TenantId, "register", DeviceId, "challenged", json, "device", new Dictionary<string, string> { ["mode"] = mode, ["group"] = policy.GroupId });
        EnrollmentLog.Challenged(logger, DeviceId, mode, policy.TenantId, policy.GroupId);
        var reply = new ChallengeResponse
        {
            DeviceId = DeviceId,
            CredentialBlob = TpmMarshal.ToBytes(made.CredentialBlob),
            EncryptedSecret = TpmMarshal.ToBytes(made.EncryptedSecret),
            Nonce = nonce,
            PcrSelection = selection,
            ExpiresAt = expires,
        };
        return new DeviceReplyMessage(JsonSerializer.SerializeToUtf8Bytes(reply, ProtocolJson.Default.ChallengeResponse), null);
    }

    private async Task<DeviceReplyMessage> AttestCoreAsync(byte[] json)
    {
        // 2. attest: the answer to the open challenge, checked in order; the challenge is spent whatever the outcome
        var request = Deserialize(json, ProtocolJson.Default.AttestRequest);
        var current = state.State;
        if (current.LastCompleted is { } done && request.Nonce is not null && CryptographicOperations.FixedTimeEquals(done.Nonce, request.Nonce))
        {
            EnrollmentLog.Replayed(logger, DeviceId);
            await CompleteIssuanceRecordsAsync(done, json);
            return new DeviceReplyMessage(done.Reply, null);
        }
        var challenge = current.Challenge ?? throw new Refusal(ProvisioningError.NoChallenge, "no open challenge");
        if (request.Nonce is null || !CryptographicOperations.FixedTimeEquals(challenge.Nonce, request.Nonce))
            throw new Refusal(ProvisioningError.NoChallenge, "the nonce is not the open challenge's");
        state.State = current with { Challenge = null, Status = current.Current is null ? DeviceStatus.Unknown : current.Status, UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        if (clock.GetUtcNow() > challenge.ExpiresAt) throw new Refusal(ProvisioningError.ChallengeExpired, "challenge expired");

        Verify(() => { CredentialMaker.CheckActivation(challenge.Secret, request.ActivatedSecret ?? []); return 0; }, ProvisioningError.ActivationFailed);
        var ak = TpmMarshal.FromBytes<TpmtPublic>(challenge.AkPublic);
        var quote = CheckQuote(ak, challenge, request);
        var policy = (await resolver.GetPolicyAsync($"{challenge.TenantId}/{challenge.GroupId}"))?.Policy
            ?? throw new Refusal(ProvisioningError.NotEnrolled, "the enrolment group was deleted");
        CheckPcrPolicy(policy, quote);
        string? firmware;
        try
        {
            firmware = CheckFirmware(policy, challenge, quote);
        }
        catch (Refusal) when (state.State.Current is not null)
        {
            // a device with a certificate now fails the firmware policy (a renewal after the policy changed): list it as non-compliant
            await MarkNonCompliantAsync();
            throw;
        }
        var (_, spki) = CheckCertify(ak, challenge, request);
        CheckCsr(request.Csr, spki);

        var signed = await GrainFactory.GetGrain<ICertificateSignerGrain>(challenge.TenantId).IssueAsync(new SigningRequest
        {
            SubjectPublicKeyInfo = spki, DeviceId = DeviceId, EkPublic = state.State.EkPublic!, Lifetime = policy.CertificateLifetime,
        });
        if (!await store.TryClaimAsync(Revocations.SerialScope, signed.SerialNumber, DeviceId))
            throw new Refusal(ProvisioningError.Unavailable, "serial collision; retry");

        // two thirds of the time from now to expiry (notBefore is backdated for clock skew, so it is not the start)
        var issuedAt = clock.GetUtcNow();
        var issued = new IssuedResponse
        {
            DeviceId = DeviceId,
            Owner = challenge.TenantId,
            CertificateChain = [signed.CertificateDer, signed.IssuingCaDer],
            SerialNumber = signed.SerialNumber,
            NotAfter = signed.NotAfter,
            RenewAfter = issuedAt + (signed.NotAfter - issuedAt) * 2 / 3,
        };
        var reply = JsonSerializer.SerializeToUtf8Bytes(issued, ProtocolJson.Default.IssuedResponse);
        var now = clock.GetUtcNow();
        var previous = state.State.Current;
        var moved = state.State.Transfer;
        var chain = state.State.OwnershipChain ?? await GenesisChainAsync(challenge.TenantId, now);
        state.State = state.State with
        {
            Status = DeviceStatus.Active,
            TenantId = challenge.TenantId,
            GroupId = challenge.GroupId,
            AkPublic = challenge.AkPublic,
            Current = new IssuedIdentity
            {
                SerialNumber = signed.SerialNumber, CertificateDer = signed.CertificateDer, SubjectPublicKeyInfo = spki,
                NotBefore = signed.NotBefore, NotAfter = signed.NotAfter, TenantId = challenge.TenantId,
            },
            PastSerials = previous is null ? state.State.PastSerials : state.State.PastSerials.Add(previous.SerialNumber),
            Certificates = state.State.Certificates.Add(new CertificateSummary
            {
                SerialNumber = signed.SerialNumber, TenantId = challenge.TenantId, NotBefore = signed.NotBefore, NotAfter = signed.NotAfter,
            }),
            LastAttestation = new AttestationRecord { At = now, Pcrs = PcrMap(quote), TpmFirmwareVersion = quote.FirmwareVersion, Firmware = firmware },
            NonCompliant = false,
            LastCompleted = new CompletedAttest { Nonce = challenge.Nonce, Reply = reply },
            EnrolledAt = state.State.EnrolledAt ?? now,
            UpdatedAt = now,
            OwnershipChain = chain,
            Transfer = null,
        };
        await state.WriteStateAsync();
        // the audit entry before the inventory: an inventory showing the serial means both are written (see the replay)
        await audit.RecordAsync(challenge.TenantId, "attest", DeviceId, "issued", json, "device",
            new Dictionary<string, string> { ["serial"] = signed.SerialNumber, ["mode"] = challenge.Mode, ["firmware"] = firmware ?? "" });
        await store.UpsertDeviceAsync(new DeviceRecord(challenge.TenantId, DeviceId, DeviceStatus.Active.ToString(), firmware,
            signed.SerialNumber, signed.NotAfter, Compliant: true, now));
        if (moved is not null) await CompleteTransferAsync(moved, challenge.GroupId, signed.SerialNumber);
        metrics.Issued(challenge.Mode);
        EnrollmentLog.Issued(logger, DeviceId, signed.SerialNumber, challenge.TenantId, signed.NotAfter);
        return new DeviceReplyMessage(reply, null);
    }

    /// <summary>
    /// A store fault after the certificate was recorded in the device's state answered Unavailable before the audit
    /// entry or the inventory were written; the retried attest writes what is missing before it answers again.
    /// </summary>
    private async Task CompleteIssuanceRecordsAsync(CompletedAttest done, byte[] json)
    {
        var issued = JsonSerializer.Deserialize(done.Reply, ProtocolJson.Default.IssuedResponse)!;
        var record = await store.GetDeviceAsync(issued.Owner, DeviceId);
        if (record?.CertificateSerial == issued.SerialNumber) return;
        await audit.RecordAsync(issued.Owner, "attest", DeviceId, "issued", json, "device",
            new Dictionary<string, string> { ["serial"] = issued.SerialNumber, ["completed"] = "on retry" });
        await store.UpsertDeviceAsync(new DeviceRecord(issued.Owner, DeviceId, state.State.Status.ToString(), state.State.LastAttestation?.Firmware,
            issued.SerialNumber, issued.NotAfter, Compliant: true, clock.GetUtcNow()));
    }

    private async Task<DeviceReplyMessage> HandleAsync(string operation, byte[] json, Func<Task<DeviceReplyMessage>> step)
    {
        var started = Stopwatch.GetTimestamp();
        DeviceReplyMessage reply;
        _resolvedTenant = null;
        try
        {
            reply = await step();
        }
        catch (Refusal refusal)
        {
            EnrollmentLog.Refused(logger, DeviceId, operation, refusal.Error, refusal.Message);
            await RecordRefusalAsync(operation, json, refusal);
            reply = Refuse(refusal.Error);
        }
        catch (Exception e) when (IsStorageFault(e))
        {
            // a storage fault or a lost ETag race: nothing was answered, the device retries; this activation is stale
            EnrollmentLog.Failed(logger, e, DeviceId, operation);
            DeactivateOnIdle();
            reply = Refuse(ProvisioningError.Unavailable, retryAfterSeconds: 1);
        }
        metrics.Handled(operation, reply.Error, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return reply;
    }

    /// <summary>
    /// A store fault — thrown by the store directly, or by a state write, which Orleans' storage bridge rethrows as an
    /// <see cref="OrleansException"/> around it — or a lost ETag race (which the bridge lets through unwrapped).
    /// </summary>
    private static bool IsStorageFault(Exception e) =>
        e is StoreUnavailableException or Orleans.Storage.InconsistentStateException or OrleansException { InnerException: StoreUnavailableException };

    private async Task RecordRefusalAsync(string operation, byte[] json, Refusal refusal)
    {
        try
        {
            var tenant = state.State.Challenge?.TenantId ?? state.State.TenantId ?? _resolvedTenant;
            await audit.RecordAsync(tenant, operation, DeviceId, $"refused:{refusal.Error}", json, "device");
        }
        catch (StoreUnavailableException e)
        {
            EnrollmentLog.Failed(logger, e, DeviceId, "audit");
        }
    }

    private static DeviceReplyMessage Refuse(ProvisioningError error, int? retryAfterSeconds = null) =>
        new(JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Error = error, RetryAfterSeconds = retryAfterSeconds }, ProtocolJson.Default.ErrorResponse), error);

    private static T Deserialize<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new Refusal(ProvisioningError.MalformedRequest, "empty request");
        }
        catch (JsonException e)
        {
            throw new Refusal(ProvisioningError.MalformedRequest, $"request JSON: {e.Message}");
        }
    }

    public Task<DeviceView?> GetAsync(string tenantId)
    {
        var s = state.State;
        if (s.TenantId != tenantId || s.Status == DeviceStatus.Unknown && s.Current is null) return Task.FromResult<DeviceView?>(null);
        return Task.FromResult<DeviceView?>(new DeviceView
        {
            DeviceId = DeviceId, TenantId = tenantId, Status = s.Status, GroupId = s.GroupId,
            CertificateSerial = s.Current?.SerialNumber, CertificateNotAfter = s.Current?.NotAfter, EnrolledAt = s.EnrolledAt,
            LastAttestedAt = s.LastAttestation?.At, Pcrs = s.LastAttestation?.Pcrs, PastSerials = s.PastSerials,
            Firmware = s.LastAttestation?.Firmware, Compliant = !s.NonCompliant,
        });
    }

    public async Task<bool> SetDisabledAsync(string tenantId, bool disabled, string actor)
    {
        if (state.State.TenantId != tenantId || state.State.Status == DeviceStatus.Revoked) return false;
        var status = disabled ? DeviceStatus.Disabled
            : state.State.Transfer is not null ? DeviceStatus.Transferring : state.State.Current is null ? DeviceStatus.Unknown : DeviceStatus.Active;
        state.State = state.State with { Status = status, Challenge = null, UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        await UpdateInventoryAsync();
        await audit.RecordAsync(tenantId, disabled ? "disable" : "enable", DeviceId, "done", [], actor);
        return true;
    }

    public async Task<bool> RevokeAsync(string tenantId, CrlReason reason, string actor)
    {
        if (state.State.TenantId != tenantId) return false;
        var now = clock.GetUtcNow();
        await GrainFactory.GetGrain<ITenantGrain>(tenantId).RevokeCertificatesAsync(
            RevocationRecord.For(DeviceId, state.State.Serials.Where(s => IsIssuedBy(s, tenantId)), reason, now));
        state.State = state.State with { Status = DeviceStatus.Revoked, Challenge = null, UpdatedAt = now };
        await state.WriteStateAsync();
        await UpdateInventoryAsync();
        await audit.RecordAsync(tenantId, "revoke", DeviceId, "done", [], actor,
            new Dictionary<string, string> { ["reason"] = CrlReasonNames.NameOf(reason) });
        return true;
    }

    public async Task<CertificateRevocationOutcome> RevokeCertificateAsync(string tenantId, string serialNumber, CrlReason reason, string actor)
    {
        if (!IsIssuedBy(serialNumber, tenantId)) return CertificateRevocationOutcome.NotFound;
        await GrainFactory.GetGrain<ITenantGrain>(tenantId).RevokeCertificatesAsync(
            RevocationRecord.For(DeviceId, [serialNumber], reason, clock.GetUtcNow()));
        await audit.RecordAsync(tenantId, "revoke-certificate", DeviceId, "done", [], actor,
            new Dictionary<string, string> { ["serial"] = serialNumber, ["reason"] = CrlReasonNames.NameOf(reason) });
        return state.State.Current?.SerialNumber == serialNumber ? CertificateRevocationOutcome.RevokedCurrent : CertificateRevocationOutcome.Revoked;
    }

    public async Task<CertificateView?> GetCertificateAsync(string tenantId, string serialNumber)
    {
        if (!IsIssuedBy(serialNumber, tenantId)) return null;
        var summary = state.State.Certificates.FirstOrDefault(c => c.SerialNumber == serialNumber);
        var current = state.State.Current?.SerialNumber == serialNumber ? state.State.Current : null;
        var revocation = await GrainFactory.GetGrain<ITenantGrain>(tenantId).GetRevocationAsync(serialNumber);
        return new CertificateView
        {
            SerialNumber = serialNumber, DeviceId = DeviceId,
            NotBefore = summary?.NotBefore ?? current?.NotBefore, NotAfter = summary?.NotAfter ?? current?.NotAfter,
            Revoked = revocation is not null, RevokedAt = revocation?.RevokedAt,
            Reason = revocation is null ? null : CrlReasonNames.NameOf((CrlReason)revocation.Reason),
        };
    }

    /// <summary>The tenant that issued one of this device's certificates, when the device's history records it.</summary>
    private string? IssuerOf(string serialNumber) =>
        state.State.Certificates.FirstOrDefault(c => c.SerialNumber == serialNumber)?.TenantId
        ?? (state.State.Current?.SerialNumber == serialNumber ? state.State.Current.TenantId : null);

    /// <summary>
    /// Whether <paramref name="tenantId"/> issued this device the certificate: by the recorded issuer, or — for
    /// certificates from before issuers were recorded — by the device's owner holding it now or earlier.
    /// </summary>
    private bool IsIssuedBy(string serialNumber, string tenantId) => IssuerOf(serialNumber) is { } issuer
        ? issuer == tenantId
        : state.State.TenantId == tenantId && state.State.PastSerials.Contains(serialNumber);

    private Task UpdateInventoryAsync()
    {
        var s = state.State;
        return s.TenantId is null
            ? Task.CompletedTask
            : store.UpsertDeviceAsync(new DeviceRecord(s.TenantId, DeviceId, s.Status.ToString(), s.LastAttestation?.Firmware,
                s.Current?.SerialNumber, s.Current?.NotAfter, Compliant: !s.NonCompliant, clock.GetUtcNow()));
    }

    public async Task<bool?> RecheckFirmwareAsync(string tenantId, string groupId, IReadOnlyList<string> allowedReleases)
    {
        var s = state.State;
        if (s.TenantId != tenantId || s.GroupId != groupId || s.Current is null) return null;
        var firmware = s.LastAttestation?.Firmware;
        var compliant = allowedReleases.Count == 0 || firmware is not null && allowedReleases.Contains(firmware, StringComparer.Ordinal);
        if (compliant == !s.NonCompliant) return compliant;
        state.State = s with { NonCompliant = !compliant, UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        await UpdateInventoryAsync();
        await audit.RecordAsync(tenantId, "firmware-policy", DeviceId, compliant ? "compliant" : "non-compliant", [], "policy",
            new Dictionary<string, string> { ["firmware"] = firmware ?? "", ["group"] = groupId });
        return compliant;
    }

    private async Task MarkNonCompliantAsync()
    {
        state.State = state.State with { NonCompliant = true, UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        await UpdateInventoryAsync();
    }
}
