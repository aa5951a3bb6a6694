namespace IoTIdentity.Provisioning.Abstractions;

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
    /// <summary>The TPM its EK certificate names (<c>{manufacturer}/{kind}/{serial}</c>), when it names one.</summary>
    [Id(12)] public string? Tpm { get; init; }
    /// <summary>The tenant's other device ids of the same TPM.</summary>
    [Id(13)] public IReadOnlyList<DeviceLink> Links { get; init; } = [];
    [Id(14)] public IReadOnlyList<string> Tags { get; init; } = [];
    [Id(15)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(16)] public bool Connected { get; init; }
    /// <summary>When an operator asked the device to attest again, while no attestation has been accepted since.</summary>
    [Id(18)] public DateTimeOffset? ReattestRequestedAt { get; init; }
    /// <summary>The last re-attest request and whether the device answered it (null when never asked).</summary>
    [Id(19)] public ReattestView? Reattest { get; init; }
    /// <summary>While the device is quarantined: the finding that caused it (renewals, enrolments and tokens refused until released).</summary>
    [Id(20)] public string? QuarantineFindingId { get; init; }
    /// <summary>While the device is quarantined: since when.</summary>
    [Id(21)] public DateTimeOffset? QuarantinedSince { get; init; }
}
