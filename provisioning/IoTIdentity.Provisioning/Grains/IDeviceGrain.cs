using IoTIdentity.Protocol;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>
/// One device (key = deviceId). Its single activation serializes the device's transitions, which is what makes a
/// challenge single-use and issuance exactly-once; durable writes are ETag-guarded against a duplicate activation.
/// </summary>
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>1. register: validates the EK and AK, finds the enrolment, answers with a challenge.</summary>
    Task<DeviceReplyMessage> RegisterAsync(byte[] requestJson, string? remoteAddress);

    /// <summary>2. attest: checks the answer to the open challenge and issues the certificate.</summary>
    Task<DeviceReplyMessage> AttestAsync(byte[] requestJson, string? remoteAddress);

    /// <summary>The device as an operator of <paramref name="tenantId"/> sees it, or null if not theirs.</summary>
    Task<DeviceView?> GetAsync(string tenantId);

    /// <summary>Disables (or re-enables) the device; false if it is not the tenant's.</summary>
    Task<bool> SetDisabledAsync(string tenantId, bool disabled, string actor);

    /// <summary>
    /// Revokes the device's identity for good: every certificate it holds or held from <paramref name="tenantId"/> goes
    /// on that tenant's CRL with <paramref name="reason"/>; false if it is not the tenant's. Sessions are closed by the caller
    /// (<see cref="Enrollment.Revocations"/>).
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

    /// <summary>Re-sends the re-enrol command of a transfer in progress (when the device subscribes again); nothing otherwise.</summary>
    Task ResendTransferCommandAsync();

    /// <summary>The ownership record (chain JSON) for the current owner <paramref name="tenantId"/>, or null if not theirs.</summary>
    Task<byte[]?> GetOwnershipAsync(string tenantId);
}

/// <summary>A protocol reply: the JSON body and, for refusals, the reason (for MQTT reason codes and metrics).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceReplyMessage([property: Id(0)] byte[] Json, [property: Id(1)] ProvisioningError? Error);

/// <summary>A device as the management API shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceView
{
    [Id(0)] public required string DeviceId { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    [Id(2)] public required DeviceStatus Status { get; init; }
    [Id(3)] public string? GroupId { get; init; }
    [Id(4)] public string? CertificateSerial { get; init; }
    [Id(5)] public DateTimeOffset? CertificateNotAfter { get; init; }
    [Id(6)] public DateTimeOffset? EnrolledAt { get; init; }
    [Id(7)] public DateTimeOffset? LastAttestedAt { get; init; }
    [Id(8)] public IReadOnlyDictionary<int, string>? Pcrs { get; init; }
    [Id(9)] public IReadOnlyList<string> PastSerials { get; init; } = [];
    [Id(10)] public string? Firmware { get; init; }
    [Id(11)] public bool Compliant { get; init; } = true;
}

/// <summary>What revoking one certificate did.</summary>
public enum CertificateRevocationOutcome
{
    /// <summary>The device holds no certificate with that serial from the caller's tenant.</summary>
    NotFound,
    /// <summary>An earlier certificate was revoked.</summary>
    Revoked,
    /// <summary>The device's current certificate was revoked: its live sessions must be closed.</summary>
    RevokedCurrent,
}

/// <summary>A certificate as the management API shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record CertificateView
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required string DeviceId { get; init; }
    [Id(2)] public DateTimeOffset? NotBefore { get; init; }
    [Id(3)] public DateTimeOffset? NotAfter { get; init; }
    [Id(4)] public bool Revoked { get; init; }
    /// <summary>The RFC 5280 reason name (<c>keyCompromise</c>, …) when revoked.</summary>
    [Id(5)] public string? Reason { get; init; }
    [Id(6)] public DateTimeOffset? RevokedAt { get; init; }
}
