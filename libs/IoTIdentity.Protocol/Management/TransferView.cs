using System.Text.Json.Serialization;

namespace IoTIdentity.Protocol.Management;

/// <summary>One transfer and its per-device progress, as either side sees it.</summary>
public sealed record TransferView
{
    /// <summary>The transfer's id (32 lowercase hex digits).</summary>
    public required string TransferId { get; init; }

    /// <summary>The tenant giving the devices.</summary>
    public required string SourceTenantId { get; init; }

    /// <summary>The tenant receiving them.</summary>
    public required string TargetTenantId { get; init; }

    /// <summary>Pending, Accepted, Completed, Cancelled or Expired.</summary>
    public required string State { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it expires unless accepted.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the target accepted.</summary>
    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>When every device finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary><see cref="TransferPolicies.Acceptance"/> or <see cref="TransferPolicies.Reenrollment"/>.</summary>
    public string? RevokeOldCertificateAt { get; init; }

    /// <summary>The target group the devices enrol into, when the target named one.</summary>
    public string? GroupId { get; init; }

    /// <summary>Per-device progress.</summary>
    public IReadOnlyList<TransferDevice> Devices { get; init; } = [];

    /// <summary>Devices per state.</summary>
    public TransferCounts? Counts { get; init; }

    /// <summary>Whether the transfer can change no more (Completed, Cancelled or Expired); not on the wire.</summary>
    [JsonIgnore]
    public bool IsFinished => State is "Completed" or "Cancelled" or "Expired";
}
