namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>How many devices are in each state.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferCounts([property: Id(0)] int Pending, [property: Id(1)] int CommandSent, [property: Id(2)] int Reenrolled, [property: Id(3)] int Failed);
