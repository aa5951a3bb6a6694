namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>Why and since when a device is quarantined: its renewals are refused until an operator releases it.</summary>
[GenerateSerializer, Immutable]
public sealed record QuarantineRecord
{
    /// <summary>The finding that caused it (or the operator's note).</summary>
    [Id(0)] public required string FindingId { get; init; }
    [Id(1)] public required DateTimeOffset Since { get; init; }
    [Id(2)] public required string Actor { get; init; }
}
