namespace IoTIdentity.DeviceAgent;

/// <summary>What <c>iotid-agent status</c> reports.</summary>
public sealed record AgentStatus
{
    /// <summary>Whether the device holds a certificate.</summary>
    public required bool Enrolled { get; init; }

    /// <summary>Whether a revoke command removed the identity (the agent then waits for <c>enroll</c>).</summary>
    public bool Revoked { get; init; }

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

    /// <summary>The certificate chain PEM.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The device key as a TSS2 PRIVATE KEY PEM.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The state directory.</summary>
    public required string StateDirectory { get; init; }
}
