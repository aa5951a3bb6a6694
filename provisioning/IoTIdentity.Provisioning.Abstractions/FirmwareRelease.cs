using System.Collections.Immutable;
using IoTIdentity.Attestation.Firmware;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>A firmware release an enrolment group allows: its reference measurements, as stored in the policy.</summary>
[GenerateSerializer, Immutable]
public sealed record FirmwareRelease
{
    [Id(0)] public required string Product { get; init; }
    [Id(1)] public required string Version { get; init; }
    [Id(2)] public ImmutableList<FirmwareReleaseComponent> Components { get; init; } = [];

    /// <summary>The release as the verifier's manifest (expected PCRs recomputed from the components).</summary>
    public FirmwareManifest ToManifest()
    {
        var components = Components.Select(c => new FirmwareComponent(c.Name, c.Name, c.Pcr, c.EventType, c.Sha256)).ToList();
        return new FirmwareManifest(Product, Version, components, FirmwareManifest.ComputeExpectedPcrs(components));
    }

    /// <summary>The stored form of a manifest.</summary>
    public static FirmwareRelease From(FirmwareManifest manifest) => new()
    {
        Product = manifest.Product,
        Version = manifest.Version,
        Components = manifest.Components.Select(c => new FirmwareReleaseComponent
        {
            Name = c.Name, Pcr = c.Pcr, EventType = c.EventType, Sha256 = c.Sha256.ToLowerInvariant(),
        }).ToImmutableList(),
    };
}
