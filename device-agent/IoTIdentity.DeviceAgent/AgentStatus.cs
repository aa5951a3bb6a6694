namespace IoTIdentity.DeviceAgent;

/// <summary>What <c>iotid-agent status</c> reports.</summary>
public sealed record AgentStatus
{
    /// <summary>Whether the device holds a certificate.</summary>
    public required bool Enrolled { get; init; }

    /// <summary>Whether the identity was revoked (a revoke command, or the service refused the device as revoked; the agent then waits for <c>enroll</c>).</summary>
    public bool Revoked { get; init; }

    /// <summary>In one word: <c>enrolled</c>, <c>not-enrolled</c>, <c>revoked</c> or <c>refused</c> (the service refused the device; see <see cref="Refusal"/>).</summary>
    public required string Condition { get; init; }

    /// <summary>The last refusal that needs an operator (e.g. <c>NotEnrolled</c>), while no identity replaced it.</summary>
    public string? Refusal { get; init; }

    /// <summary>When <see cref="Refusal"/> came.</summary>
    public DateTimeOffset? RefusedAt { get; init; }

    /// <summary>
    /// The class of the last MQTT session the agent opened: <c>authenticated</c> (the device certificate, signed in the
    /// TPM) or <c>enrolment-only</c>; null before the first.
    /// </summary>
    public string? Session { get; init; }

    /// <summary>Why the last session had its class (e.g. why it was not authenticated).</summary>
    public string? SessionReason { get; init; }

    /// <summary>The device id.</summary>
    public string? DeviceId { get; init; }

    /// <summary>The owner (tenant).</summary>
    public string? Owner { get; init; }

    /// <summary>The certificate's subject.</summary>
    public string? Subject { get; init; }

    /// <summary>The certificate serial (lowercase hex).</summary>
    public string? Serial { get; init; }

    /// <summary>Validity start.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Validity end.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>When the TPM last passed attestation.</summary>
    public DateTimeOffset? LastAttestation { get; init; }

    /// <summary>When the agent will renew (the service's hint; the daemon adds jitter).</summary>
    public DateTimeOffset? NextRenewal { get; init; }

    /// <summary>The device certificate PEM, a path that stays valid across rotations.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The issuing CA certificate(s) PEM, a path that stays valid across rotations.</summary>
    public string? ChainPath { get; init; }

    /// <summary>The device key as a TSS2 PRIVATE KEY PEM, a path that stays valid across rotations.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The state directory.</summary>
    public required string StateDirectory { get; init; }
}
