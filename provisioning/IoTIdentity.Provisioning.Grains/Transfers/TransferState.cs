using System.Collections.Immutable;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Transfers;

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
