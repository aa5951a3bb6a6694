namespace IoTIdentity.Protocol.Management;

/// <summary>One device in full (<c>GET /api/v1/devices/{deviceId}</c>).</summary>
public sealed record DeviceDetails
{
    /// <summary>The device.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The owner.</summary>
    public required string TenantId { get; init; }

    /// <summary>Its lifecycle state: Unknown, Challenged, Active, Transferring, Disabled or Revoked.</summary>
    public required string Status { get; init; }

    /// <summary>The group whose policy admitted it.</summary>
    public string? GroupId { get; init; }

    /// <summary>Its current certificate's serial (hex).</summary>
    public string? CertificateSerial { get; init; }

    /// <summary>When that certificate expires.</summary>
    public DateTimeOffset? CertificateNotAfter { get; init; }

    /// <summary>When it first enrolled.</summary>
    public DateTimeOffset? EnrolledAt { get; init; }

    /// <summary>When it last attested.</summary>
    public DateTimeOffset? LastAttestedAt { get; init; }

    /// <summary>The PCR values of its last quote (hex), by index.</summary>
    public IReadOnlyDictionary<int, string>? Pcrs { get; init; }

    /// <summary>Serials of its earlier certificates.</summary>
    public IReadOnlyList<string> PastSerials { get; init; } = [];

    /// <summary>The firmware it last proved.</summary>
    public string? Firmware { get; init; }

    /// <summary>Whether its last attestation met the policy.</summary>
    public bool Compliant { get; init; } = true;

    /// <summary>The TPM its EK certificate names (<c>{manufacturer}/{hwType or subject-serialNumber}/{serial hex}</c>), when it names one.</summary>
    public string? Tpm { get; init; }

    /// <summary>The tenant's other device ids of the same TPM (its other EKs), and why they are linked.</summary>
    public IReadOnlyList<DeviceLinkView> Links { get; init; } = [];

    /// <summary>The owner's tags on it.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>When its authenticated MQTT session last opened or closed.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }

    /// <summary>Whether that session is open.</summary>
    public bool Connected { get; init; }

    /// <summary>When an operator asked it to attest again (<c>POST …/reattest</c>), while no attestation has been accepted since.</summary>
    public DateTimeOffset? ReattestRequestedAt { get; init; }

    /// <summary>The last re-attest request and whether the device answered it (requested → attested or failed); null when never asked.</summary>
    public ReattestStatus? Reattest { get; init; }

    /// <summary>While it is quarantined (its renewals, enrolments and tokens refused until <c>POST …/release</c>): the finding that caused it.</summary>
    public string? QuarantineFindingId { get; init; }

    /// <summary>While it is quarantined: since when.</summary>
    public DateTimeOffset? QuarantinedSince { get; init; }
}
