namespace IoTIdentity.Protocol.Messages;

/// <summary>
/// Step 1 — <c>register</c>: the device presents its EK (public area and certificate), its attestation key and its
/// firmware event log. All TPM structures travel as their marshalled bytes (base64 in JSON), exactly as the TPM
/// produced them, because the service hashes and verifies those bytes.
/// </summary>
public sealed record RegisterRequest
{
    /// <summary><c>enroll</c> (first boot or recovery) or <c>renew</c> (rotation, signed by the current key).</summary>
    public string Mode { get; init; } = RegisterModes.Enroll;

    /// <summary>The EK's marshalled TPMT_PUBLIC; the device id is its SHA-256.</summary>
    public required byte[] EkPublic { get; init; }

    /// <summary>The EK certificate (DER), as read from the TPM's NV index.</summary>
    public required byte[] EkCertificate { get; init; }

    /// <summary>Intermediate CA certificates (DER) of the EK certificate's chain, if the device has them.</summary>
    public IReadOnlyList<byte[]> EkIntermediates { get; init; } = [];

    /// <summary>The attestation key's marshalled TPMT_PUBLIC.</summary>
    public required byte[] AkPublic { get; init; }

    /// <summary>The TCG PC Client event log (crypto-agile), if the device measures its boot.</summary>
    public byte[]? EventLog { get; init; }

    /// <summary>For <c>renew</c>: proof of the current identity (see <see cref="RenewalProof"/>).</summary>
    public RenewalProof? Renewal { get; init; }

    /// <summary>
    /// The enrolment scope the device is configured with: its owner's tenant id (<c>acme</c>) or one of its groups
    /// (<c>acme/sensors</c>). An unowned device naming a scope is resolved only within it; without one it is resolved
    /// only when the groups of exactly one tenant admit it. Absent (null) in older agents' requests.
    /// </summary>
    public string? EnrollmentScope { get; init; }

    /// <summary>
    /// The claim code printed on the device, if it has one: proves that the tenant whose individual enrolment holds the
    /// code's SHA-256 is the device's buyer. Only read while the device is unowned; sent over the TLS channel only.
    /// </summary>
    public string? ClaimCode { get; init; }
}

/// <summary>The register modes.</summary>
public static class RegisterModes
{
    /// <summary>First enrolment, or recovery by full re-attestation.</summary>
    public const string Enroll = "enroll";
    /// <summary>Rotation: additionally signed by the current device key.</summary>
    public const string Renew = "renew";
}

/// <summary>
/// A renewal's proof of the current identity: a signature by the current device key (whose certificate the service
/// issued) over <see cref="RenewalProofs.SignedBytes"/> — the device id, the new AK's public area digest and a
/// timestamp, so it cannot be replayed for another AK or much later.
/// </summary>
public sealed record RenewalProof
{
    /// <summary>Serial number (hex) of the certificate whose key signs.</summary>
    public required string CertificateSerial { get; init; }

    /// <summary>When the device signed (UTC); the service accepts a small skew.</summary>
    public required DateTimeOffset SignedAt { get; init; }

    /// <summary>The signature: ECDSA P1363 (r||s) or RSASSA-PKCS1-v1_5, SHA-256.</summary>
    public required byte[] Signature { get; init; }
}
