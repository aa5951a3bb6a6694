namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A device's answer at acceptance.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferDeviceOutcome([property: Id(0)] TransferDeviceState State, [property: Id(1)] string? Error);
