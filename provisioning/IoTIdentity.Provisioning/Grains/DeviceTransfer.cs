using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains;

/// <summary>A pending transfer's hold on a device; it lapses by itself at <see cref="ExpiresAt"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferReservation([property: Id(0)] string TransferId, [property: Id(1)] DateTimeOffset ExpiresAt);

/// <summary>
/// An accepted transfer as the device keeps it until it has re-enrolled for the new owner: who it leaves and joins,
/// which of the old owner's certificates are still to be revoked, and the signed re-enrol command to re-send.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceTransfer
{
    [Id(0)] public required string TransferId { get; init; }
    [Id(1)] public required string SourceTenantId { get; init; }
    [Id(2)] public required string TargetTenantId { get; init; }
    /// <summary>The target group named at acceptance, or null to resolve the target's groups as usual.</summary>
    [Id(3)] public string? GroupId { get; init; }
    [Id(4)] public required bool RevokeAtAcceptance { get; init; }
    [Id(5)] public required DateTimeOffset AcceptedAt { get; init; }
    /// <summary>The old owner's serials not yet revoked (empty once cut off).</summary>
    [Id(6)] public ImmutableList<string> OldSerials { get; init; } = [];
    /// <summary>The last re-enrol command sent (JSON of a <c>DeviceCommand</c>), re-sent when the device subscribes again.</summary>
    [Id(7)] public byte[]? Command { get; init; }
}

/// <summary>What the transfer saga asks one device to do at acceptance.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferOrder
{
    [Id(0)] public required string TransferId { get; init; }
    [Id(1)] public required string SourceTenantId { get; init; }
    [Id(2)] public required string TargetTenantId { get; init; }
    [Id(3)] public string? GroupId { get; init; }
    [Id(4)] public required bool RevokeAtAcceptance { get; init; }
    [Id(5)] public required string Actor { get; init; }
}

/// <summary>The answer of a device asked to join a transfer.</summary>
public enum TransferReservationResult
{
    /// <summary>The device is held for the transfer.</summary>
    Reserved,
    /// <summary>The device is not the source tenant's (or does not exist).</summary>
    NotFound,
    /// <summary>The device is in another open transfer, moving, revoked, disabled or not enrolled yet.</summary>
    Conflict,
}

/// <summary>One device's progress in a transfer.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TransferDeviceState>))]
public enum TransferDeviceState
{
    /// <summary>Held for the transfer; not accepted yet.</summary>
    Pending,
    /// <summary>Accepted: the device belongs to the target and was told to re-enrol (or will be when it connects).</summary>
    CommandSent,
    /// <summary>The device re-attested and holds a certificate of the target's CA.</summary>
    Reenrolled,
    /// <summary>The device could not be moved (see the error).</summary>
    Failed,
}

/// <summary>A device's answer at acceptance.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferDeviceOutcome([property: Id(0)] TransferDeviceState State, [property: Id(1)] string? Error);
