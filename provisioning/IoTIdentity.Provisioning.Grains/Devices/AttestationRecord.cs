using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Grains.Devices;

/// <summary>What the last successful attestation showed.</summary>
[GenerateSerializer, Immutable]
public sealed record AttestationRecord
{
    [Id(0)] public required DateTimeOffset At { get; init; }
    [Id(1)] public required ImmutableDictionary<int, string> Pcrs { get; init; }
    [Id(2)] public ulong TpmFirmwareVersion { get; init; }
    [Id(3)] public string? Firmware { get; init; }
}
