using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>Where a transfer is: <c>Pending → Accepted → Completed</c>, or <c>Pending → Cancelled | Expired</c>.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TransferStatus>))]
public enum TransferStatus
{
    /// <summary>Created by the source; waiting for the target to accept (or for cancellation or expiry).</summary>
    Pending,
    /// <summary>The target accepted; devices are moving.</summary>
    Accepted,
    /// <summary>Every device re-enrolled for the target (or failed).</summary>
    Completed,
    /// <summary>Cancelled before acceptance: nothing changed.</summary>
    Cancelled,
    /// <summary>Not accepted in time: nothing changed.</summary>
    Expired,
}

/// <summary>The durable state of one transfer (grain key = transferId).</summary>
[GenerateSerializer, Immutable]
public sealed record TransferState
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public string SourceTenantId { get; init; } = "";
    [Id(2)] public string TargetTenantId { get; init; } = "";
    [Id(3)] public TransferStatus Status { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset ExpiresAt { get; init; }
    [Id(6)] public DateTimeOffset? AcceptedAt { get; init; }
    [Id(7)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(8)] public bool RevokeAtAcceptance { get; init; }
    [Id(9)] public string? GroupId { get; init; }
    [Id(10)] public ImmutableList<TransferDeviceProgress> Devices { get; init; } = [];
    [Id(11)] public string AcceptedBy { get; init; } = "";
}

/// <summary>One device's progress in a transfer.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferDeviceProgress
{
    [Id(0)] public required string DeviceId { get; init; }
    [Id(1)] public required TransferDeviceState State { get; init; }
    [Id(2)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(3)] public string? NewSerialNumber { get; init; }
    [Id(4)] public string? Error { get; init; }
}

/// <summary>How many devices are in each state.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferCounts([property: Id(0)] int Pending, [property: Id(1)] int CommandSent, [property: Id(2)] int Reenrolled, [property: Id(3)] int Failed);

/// <summary>A transfer as either side's API shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferView
{
    [Id(0)] public required string TransferId { get; init; }
    [Id(1)] public required string SourceTenantId { get; init; }
    [Id(2)] public required string TargetTenantId { get; init; }
    [Id(3)] public required TransferStatus State { get; init; }
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(6)] public DateTimeOffset? AcceptedAt { get; init; }
    [Id(7)] public DateTimeOffset? CompletedAt { get; init; }
    /// <summary><c>acceptance</c> or <c>reenrollment</c>: when the old owner's certificates are revoked.</summary>
    [Id(8)] public required string RevokeOldCertificateAt { get; init; }
    [Id(9)] public string? GroupId { get; init; }
    [Id(10)] public required IReadOnlyList<TransferDeviceProgress> Devices { get; init; }
    [Id(11)] public required TransferCounts Counts { get; init; }
}

/// <summary>What the source asks for.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferRequest
{
    [Id(0)] public required string SourceTenantId { get; init; }
    [Id(1)] public required string TargetTenantId { get; init; }
    [Id(2)] public required IReadOnlyList<string> DeviceIds { get; init; }
    [Id(3)] public required bool RevokeAtAcceptance { get; init; }
    [Id(4)] public required TimeSpan ExpiresIn { get; init; }
    [Id(5)] public required string Actor { get; init; }
}

/// <summary>A transfer operation's answer: the view, or the refusal (mapped once to HTTP problem details).</summary>
[GenerateSerializer, Immutable]
public sealed record TransferResult([property: Id(0)] TransferView? View, [property: Id(1)] Protocol.ProvisioningError? Error, [property: Id(2)] string? Detail = null)
{
    /// <summary>A refusal.</summary>
    public static TransferResult Refused(Protocol.ProvisioningError error, string? detail = null) => new(null, error, detail);
}
