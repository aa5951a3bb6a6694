using IoTIdentity.Protocol.Messages;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// One device (key = deviceId). Its single activation serializes the device's transitions, which is what makes a
/// challenge single-use and issuance exactly-once; durable writes are ETag-guarded against a duplicate activation.
/// </summary>
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>1. register: validates the EK and AK, finds the enrolment, answers with a challenge.</summary>
    Task<ProtocolReply<ChallengeResponse>> RegisterAsync(ProtocolRequest<RegisterRequest> request);

    /// <summary>2. attest: checks the answer to the open challenge and issues the certificate.</summary>
    Task<ProtocolReply<IssuedResponse>> AttestAsync(ProtocolRequest<AttestRequest> request);

    /// <summary>3. token: an enrolled device's signed request for a short-lived JWT for one audience of its group's token policy.</summary>
    Task<ProtocolReply<TokenResponse>> RequestTokenAsync(ProtocolRequest<TokenRequest> request);

    /// <summary>
    /// 3. token over HTTPS: a token for a device that presented <paramref name="certificate"/> (DER) in a TLS handshake the
    /// edge has authenticated and chained to the device's tenant; the token is bound to that certificate.
    /// </summary>
    Task<ProtocolReply<TokenResponse>> RequestTokenWithCertificateAsync(ProtocolRequest<CertificateTokenRequest> request, byte[] certificate);

    /// <summary>
    /// Records a request the edge refused before it reached a protocol step (it did not parse): counted, and audited in
    /// the device's tenant's log like any other refusal of the device (<paramref name="remoteAddress"/>: the sender's, when known).
    /// </summary>
    Task RecordRefusalAsync(string operation, Refusal refusal, byte[] evidence, string? remoteAddress);

    /// <summary>The device as an operator of <paramref name="tenantId"/> sees it, or null if not theirs.</summary>
    Task<DeviceView?> GetAsync(string tenantId);

    /// <summary>
    /// Links the device to <paramref name="otherDeviceId"/>, another id of the same TPM, on <paramref name="basis"/>
    /// (<see cref="DeviceLink"/>); false if the device is not <paramref name="tenantId"/>'s. Only this side is written.
    /// </summary>
    Task<bool> AddLinkAsync(string tenantId, string otherDeviceId, string basis, string actor);

    /// <summary>Removes the link to <paramref name="otherDeviceId"/>; false if the device is not the tenant's or has no such link.</summary>
    Task<bool> RemoveLinkAsync(string tenantId, string otherDeviceId, string actor);

    /// <summary>Whether a tenant other than <paramref name="tenantId"/> owns the device (it attested there, or a transfer to it was accepted).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<bool> IsOwnedByAnotherTenantAsync(string tenantId);

    /// <summary>Replaces the owner's tags on the device (normalized by <see cref="DeviceTags"/>); false if it is not the tenant's.</summary>
    Task<bool> SetTagsAsync(string tenantId, IReadOnlyList<string> tags, string actor);

    /// <summary>The MQTT endpoint saw the device's authenticated session open (<paramref name="connected"/>) or close at <paramref name="at"/>.</summary>
    Task RecordPresenceAsync(bool connected, DateTimeOffset at);

    /// <summary>Writes the device's inventory row under <paramref name="tenantId"/> again from its state, with every field
    /// the inventory is filtered by (re-indexing a row written before it carried the group, tags and presence); false,
    /// writing nothing, if the device is not the tenant's.</summary>
    Task<bool> ReindexAsync(string tenantId);

    /// <summary>Disables (or re-enables) the device; false if it is not the tenant's.</summary>
    Task<bool> SetDisabledAsync(string tenantId, bool disabled, string actor);

    /// <summary>
    /// Revokes the device's identity for good: every certificate it holds or held from <paramref name="tenantId"/> goes
    /// on that tenant's CRL with <paramref name="reason"/>; false if it is not the tenant's. Sessions are closed by the caller
    /// (the service's <c>Revocations</c>, which every revocation goes through).
    /// </summary>
    Task<bool> RevokeAsync(string tenantId, Certificates.CrlReason reason, string actor);

    /// <summary>
    /// Puts one certificate of the device, issued by <paramref name="tenantId"/>, on that tenant's CRL; the device stays
    /// and may enrol again, but can no longer renew with it.
    /// </summary>
    Task<CertificateRevocationOutcome> RevokeCertificateAsync(string tenantId, string serialNumber, Certificates.CrlReason reason, string actor);

    /// <summary>A certificate of the device issued by <paramref name="tenantId"/>, or null if it is not one.</summary>
    Task<CertificateView?> GetCertificateAsync(string tenantId, string serialNumber);

    /// <summary>
    /// After the group's allowed firmware changed: marks the device non-compliant if it proved no release, or one no
    /// longer allowed (compliant again if it is allowed, or if the list is now empty). Only for a device of that tenant
    /// and group holding a certificate; returns whether the device is now compliant, or null if the check does not apply.
    /// </summary>
    Task<bool?> RecheckFirmwareAsync(string tenantId, string groupId, IReadOnlyList<string> allowedReleases);

    /// <summary>Holds the device for an open transfer of <paramref name="sourceTenantId"/> until it is accepted, cancelled or <paramref name="expiresAt"/>.</summary>
    Task<TransferReservationResult> ReserveForTransferAsync(string sourceTenantId, string transferId, DateTimeOffset expiresAt);

    /// <summary>Releases the hold of a cancelled or expired transfer (nothing else about the device changes).</summary>
    Task ReleaseTransferAsync(string transferId);

    /// <summary>
    /// Acceptance: appends the signed hand-over to the ownership record, makes the target the owner (status
    /// Transferring), cuts the old owner off if the policy says so, and sends the signed re-enrol command.
    /// </summary>
    Task<TransferDeviceOutcome> BeginTransferAsync(TransferOrder order);

    /// <summary>The ownership record (chain JSON) for the current owner <paramref name="tenantId"/>, or null if not theirs.</summary>
    Task<byte[]?> GetOwnershipAsync(string tenantId);

    /// <summary>Quarantines the device for a finding: renewals refused until released (audited); false if not the tenant's, revoked, or already held.</summary>
    Task<bool> QuarantineAsync(string tenantId, string findingId, string actor);

    /// <summary>Releases the device from quarantine (audited); false if not the tenant's or not held.</summary>
    Task<bool> ReleaseQuarantineAsync(string tenantId, string actor);

    /// <summary>
    /// An operator asks the device to attest again now (audited): the signed <c>attest-now</c> command goes to its session,
    /// or when it next subscribes; the request stays open until an attestation is accepted after it.
    /// </summary>
    Task<ReattestRequest> RequestReattestAsync(string tenantId, string actor);

    /// <summary>
    /// When the device subscribes to its commands again: re-sends the re-enrol command of a transfer in progress, then the
    /// command of an open re-attest request, each only if there is one (one call for both, as every subscription makes it).
    /// </summary>
    Task ResendCommandsAsync();

    /// <summary>The device's recent accepted attestations, newest first, or null if it is not <paramref name="tenantId"/>'s.</summary>
    Task<IReadOnlyList<AttestationView>?> GetAttestationsAsync(string tenantId);
}
