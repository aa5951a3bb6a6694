using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>The durable state of one device (grain key = deviceId, the SHA-256 of its EK public area).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceState
{
    [Id(0)] public DeviceStatus Status { get; init; }
    [Id(1)] public string? TenantId { get; init; }
    [Id(2)] public string? GroupId { get; init; }
    [Id(3)] public byte[]? EkPublic { get; init; }
    [Id(4)] public byte[]? AkPublic { get; init; }
    [Id(5)] public PendingChallenge? Challenge { get; init; }
    [Id(6)] public IssuedIdentity? Current { get; init; }
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
    // ids 30..39 belong to revocation (ids 18..29 are left to the transfer work)
    /// <summary>Every certificate issued to the device, oldest first: which tenant issued it and its validity.</summary>
    [Id(30)] public ImmutableList<CertificateSummary> Certificates { get; init; } = [];

    /// <summary>Every serial the device holds or held: the past ones, then the current one.</summary>
    public IEnumerable<string> Serials => Current is null ? PastSerials : PastSerials.Append(Current.SerialNumber);
}

/// <summary>One certificate a device was issued: what <c>GET /api/v1/certificates/{serial}</c> shows beside its revocation.</summary>
[GenerateSerializer, Immutable]
public sealed record CertificateSummary
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    [Id(2)] public required DateTimeOffset NotBefore { get; init; }
    [Id(3)] public required DateTimeOffset NotAfter { get; init; }
}

/// <summary>An open challenge: single use, expires, replaced by the next register.</summary>
[GenerateSerializer, Immutable]
public sealed record PendingChallenge
{
    [Id(0)] public required byte[] Nonce { get; init; }
    [Id(1)] public required byte[] Secret { get; init; }
    [Id(2)] public required byte[] AkPublic { get; init; }
    [Id(3)] public required byte[] PcrSelection { get; init; }
    [Id(4)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(5)] public required string TenantId { get; init; }
    [Id(6)] public required string GroupId { get; init; }
    [Id(7)] public required string Mode { get; init; }
    [Id(8)] public byte[]? EventLog { get; init; }
}

/// <summary>The certificate the device currently holds.</summary>
[GenerateSerializer, Immutable]
public sealed record IssuedIdentity
{
    [Id(0)] public required string SerialNumber { get; init; }
    [Id(1)] public required byte[] CertificateDer { get; init; }
    [Id(2)] public required byte[] SubjectPublicKeyInfo { get; init; }
    [Id(3)] public required DateTimeOffset NotBefore { get; init; }
    [Id(4)] public required DateTimeOffset NotAfter { get; init; }
    [Id(5)] public required string TenantId { get; init; }
}

/// <summary>What the last successful attestation showed.</summary>
[GenerateSerializer, Immutable]
public sealed record AttestationRecord
{
    [Id(0)] public required DateTimeOffset At { get; init; }
    [Id(1)] public required ImmutableDictionary<int, string> Pcrs { get; init; }
    [Id(2)] public ulong TpmFirmwareVersion { get; init; }
    [Id(3)] public string? Firmware { get; init; }
}

/// <summary>The reply to the last successful attest, so a retry with the same nonce gets the same certificate.</summary>
[GenerateSerializer, Immutable]
public sealed record CompletedAttest
{
    [Id(0)] public required byte[] Nonce { get; init; }
    [Id(1)] public required byte[] Reply { get; init; }
}
