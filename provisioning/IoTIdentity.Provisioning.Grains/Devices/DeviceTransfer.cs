using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains.Devices;

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
