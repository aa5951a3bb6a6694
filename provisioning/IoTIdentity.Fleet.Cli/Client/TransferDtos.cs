// The ownership transfer shapes of the management API contract (issue 5).
namespace IoTIdentity.Fleet.Cli.Client;

/// <summary><c>POST /api/v1/transfers</c>.</summary>
/// <param name="TargetTenantId">The tenant that is to own the devices.</param>
/// <param name="DeviceIds">The devices (1..1000).</param>
/// <param name="RevokeOldCertificateAt">"acceptance" or "reenrollment".</param>
/// <param name="ExpiresInHours">How long the target has to accept (1..720); null for the service's default.</param>
public sealed record CreateTransferRequest(string TargetTenantId, IReadOnlyList<string> DeviceIds, string RevokeOldCertificateAt, int? ExpiresInHours);

/// <summary><c>POST /api/v1/transfers/{transferId}/accept</c>.</summary>
/// <param name="GroupId">The target group to enrol the devices into; null for the service's choice.</param>
public sealed record AcceptTransferRequest(string? GroupId);

/// <summary>One device's progress in a transfer.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="State">Pending, CommandSent, Reenrolled or Failed.</param>
/// <param name="UpdatedAt">When its state last changed.</param>
/// <param name="NewSerialNumber">The certificate the new owner issued, once re-enrolled.</param>
/// <param name="Error">Why it failed.</param>
public sealed record TransferDevice(string DeviceId, string State, DateTimeOffset? UpdatedAt, string? NewSerialNumber, string? Error);

/// <summary>How many devices of a transfer are in each state.</summary>
/// <param name="Pending">Not yet told.</param>
/// <param name="CommandSent">Told to re-enrol.</param>
/// <param name="Reenrolled">Holding the new owner's certificate.</param>
/// <param name="Failed">Failed.</param>
public sealed record TransferCounts(int Pending, int CommandSent, int Reenrolled, int Failed);

/// <summary>One transfer and its per-device progress.</summary>
public sealed record TransferView
{
    /// <summary>The transfer's id.</summary>
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

    /// <summary>"acceptance" or "reenrollment".</summary>
    public string? RevokeOldCertificateAt { get; init; }

    /// <summary>Per-device progress.</summary>
    public IReadOnlyList<TransferDevice> Devices { get; init; } = [];

    /// <summary>Devices per state.</summary>
    public TransferCounts? Counts { get; init; }

    /// <summary>Whether the transfer can change no more (Completed, Cancelled or Expired).</summary>
    public bool IsFinished => State is "Completed" or "Cancelled" or "Expired";
}
