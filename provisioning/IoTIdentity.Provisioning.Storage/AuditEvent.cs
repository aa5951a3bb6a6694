namespace IoTIdentity.Provisioning.Storage;

/// <summary>Something that happened to a tenant's devices or settings, as the caller reports it.</summary>
/// <remarks>Limits are in <see cref="StoreLimits.CheckAuditEvent"/>. When appended, the event is stored in its
/// canonical form (<see cref="AuditChain.Normalize"/>): time in UTC, digest in lowercase hex, details sorted by
/// key, and empty details as <see langword="null"/>.</remarks>
public sealed record AuditEvent
{
    /// <summary>What was attempted, e.g. "enrol", "renew", "revoke", "transfer".</summary>
    public required string Action { get; init; }

    /// <summary>What it was done to, usually a device id.</summary>
    public required string Subject { get; init; }

    /// <summary>How it ended: "allowed", or "refused:&lt;reason&gt;" with the protocol's reason code.</summary>
    public required string Outcome { get; init; }

    /// <summary>The SHA-256 of the evidence the decision was made on (quote, certificate request, API call), as
    /// 64 hex digits; <see langword="null"/> when there was no evidence (e.g. a manual revocation).</summary>
    public string? EvidenceDigest { get; init; }

    /// <summary>Who did it: a device id, an API key id, or "system".</summary>
    public required string Actor { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Further facts (e.g. firmware version, certificate serial); <see langword="null"/> when none.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
