namespace IoTIdentity.Provisioning.Abstractions;

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
