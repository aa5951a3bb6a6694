namespace IoTIdentity.Provisioning.Abstractions;

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
