using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>
/// An enrolment group's policy (key = "{tenantId}/{groupId}"): which manufacturer roots it trusts, which PCRs to
/// quote and which values are allowed, the certificate lifetime and the device quota.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EnrollmentPolicy
{
    [Id(0)] public required string TenantId { get; init; }
    [Id(1)] public required string GroupId { get; init; }
    [Id(2)] public ImmutableList<byte[]> TrustedRoots { get; init; } = [];
    [Id(3)] public ImmutableList<int> PcrIndices { get; init; } = [0, 1, 2, 3, 4, 5, 6, 7];
    [Id(4)] public ImmutableDictionary<int, ImmutableList<string>> AllowedPcrValues { get; init; } = ImmutableDictionary<int, ImmutableList<string>>.Empty;
    [Id(5)] public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromDays(30);
    [Id(6)] public int? Quota { get; init; }
    [Id(7)] public bool Enabled { get; init; } = true;
    [Id(8)] public long Version { get; init; }
    /// <summary>Admit only devices with an individual enrolment naming this group (the roots still must validate).</summary>
    [Id(9)] public bool IndividualOnly { get; init; }
    /// <summary>
    /// Measured boot: the firmware releases a device may run. When not empty, a device must send an event log that
    /// replays to its quoted PCRs and shows exactly one of these releases.
    /// </summary>
    [Id(10)] public ImmutableList<FirmwareRelease> AllowedFirmware { get; init; } = [];
}
