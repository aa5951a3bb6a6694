namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>One measured component of an allowed firmware release: the PCR it is measured into and its SHA-256.</summary>
[GenerateSerializer, Immutable]
public sealed record FirmwareReleaseComponent
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required int Pcr { get; init; }
    [Id(2)] public uint EventType { get; init; }
    [Id(3)] public required string Sha256 { get; init; }
}
