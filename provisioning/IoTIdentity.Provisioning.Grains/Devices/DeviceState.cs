using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>The durable state of one device (grain key = deviceId, the SHA-256 of its EK public area).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceState
{
    [Id(0)] public DeviceStatus Status { get; init; }
    [Id(1)] public string? TenantId { get; init; }
    [Id(2)] public string? GroupId { get; init; }
    [Id(3)] public byte[]? EkPublic { get; init; }
    [Id(4)] public byte[]? AkPublic { get; init; }
    // id 5 (the single open challenge a register replaced) is retired
    [Id(6)] public IssuedIdentity? Current { get; init; }
    /// <summary>The serials of its earlier certificates still in the state (expired ones move out: <see cref="CertificateHistory"/>).</summary>
    [Id(7)] public ImmutableList<string> PastSerials { get; init; } = [];
    [Id(8)] public AttestationRecord? LastAttestation { get; init; }
    [Id(9)] public CompletedAttest? LastCompleted { get; init; }
    [Id(10)] public bool CountedInQuota { get; init; }
    [Id(11)] public DateTimeOffset? EnrolledAt { get; init; }
    [Id(12)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The last attestation was refused by the firmware policy while the device held a certificate.</summary>
    [Id(13)] public bool NonCompliant { get; init; }
    /// <summary>The ownership record: the chain's JSON (an <c>OwnershipDocument</c> without keys); its first entry is written at first enrolment.</summary>
    [Id(14)] public byte[]? OwnershipChain { get; init; }
    /// <summary>An open (not yet accepted) transfer holds the device, so no second transfer can take it.</summary>
    [Id(15)] public TransferReservation? Reservation { get; init; }
    /// <summary>The accepted transfer the device is moving under (status <see cref="DeviceStatus.Transferring"/>).</summary>
    [Id(16)] public DeviceTransfer? Transfer { get; init; }
    /// <summary>Serials already revoked because the device changed owner (not revoked again at the next transfer).</summary>
    [Id(17)] public ImmutableList<string> CutOffSerials { get; init; } = [];
    /// <summary>
    /// The open challenges, found by nonce; a register adds one and never replaces another (<see cref="OpenChallenges"/>).
    /// Never stored (no field id; id 18, where they were, is retired): a challenge lives only in the device's activation,
    /// so opening and spending one writes nothing, and none outlives its activation — a restart, a deactivation after a
    /// store fault, or a state another change wrote cannot bring a spent or a stranger's challenge back.
    /// </summary>
    [field: NonSerialized] public ImmutableList<PendingChallenge> Challenges { get; init; } = [];
    /// <summary>The tenant whose enrolment the last register resolved to: where refusals are logged until the device is bound; grants nothing.</summary>
    [Id(19)] public string? AuditTenantId { get; init; }
    /// <summary>Set while monitoring (or an operator) holds the device: renewals are refused until it is released.</summary>
    [Id(20)] public QuarantineRecord? Quarantine { get; init; }
    /// <summary>The TPM the EK certificate of the last register names (<c>TpmHardwareSerial</c>), when it names one; grants nothing.</summary>
    [Id(21)] public string? Tpm { get; init; }
    /// <summary>The tenant's other device ids of the same TPM.</summary>
    [Id(22)] public ImmutableList<DeviceLink> Links { get; init; } = [];
    /// <summary>The owner's labels (<see cref="DeviceTags"/>), sorted; cleared when ownership moves.</summary>
    [Id(23)] public ImmutableList<string> Tags { get; init; } = [];
    /// <summary>When the device was last seen on its channel (<see cref="DevicePresence"/>).</summary>
    [Id(24)] public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>Whether it held an authenticated session when last seen.</summary>
    [Id(25)] public bool Connected { get; init; }
    // ids 26..28 are unused; a new field takes the next free id, never a retired one
    /// <summary>When an operator last asked the device to attest again (<see cref="DeviceReattestation"/>); open while no attestation is newer.</summary>
    [Id(29)] public DateTimeOffset? ReattestRequestedAt { get; init; }
    /// <summary>The certificates issued to the device, oldest first, that have not moved to its archive (<see cref="CertificateHistory"/>): which tenant issued each and its validity.</summary>
    [Id(30)] public ImmutableList<CertificateSummary> Certificates { get; init; } = [];
    /// <summary>The signing time of the last token request accepted: a later request must be signed later (no replay).</summary>
    [Id(31)] public DateTimeOffset? LastTokenProofAt { get; init; }
    /// <summary>The recent accepted attestations, oldest first, at most <see cref="AttestationRecord.HistoryLimit"/>.</summary>
    [Id(32)] public ImmutableList<AttestationRecord> Attestations { get; init; } = [];
    /// <summary>The last attestation refused after the TPM proved itself while a re-attest request was open (<see cref="DeviceReattestation"/>); cleared by the next request.</summary>
    [Id(33)] public ReattestRefusal? ReattestRefusal { get; init; }
    /// <summary>How many pages of expired certificates <see cref="CertificateHistory"/> has moved out of the state.</summary>
    [Id(34)] public int ArchivedPages { get; init; }

    /// <summary>Every serial in the state the device holds or held: the past ones, then the current one (not the archived ones).</summary>
    public IEnumerable<string> Serials => Current is null ? PastSerials : PastSerials.Append(Current.SerialNumber);
}
