namespace IoTIdentity.Provisioning.Abstractions;

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
