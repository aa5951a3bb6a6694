using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace IoTIdentity.Attestation.Firmware;

/// <summary>
/// A firmware release's reference measurements: its components in boot order and the SHA-256 PCR values a device
/// that boots exactly this release reports (each PCR extended from zeros with its components' digests in order).
/// </summary>
/// <param name="Product">The device family, e.g. "acme-sensor".</param>
/// <param name="Version">The release's version.</param>
/// <param name="Components">The components in the order the boot chain measures them.</param>
/// <param name="ExpectedPcrs">SHA-256 bank: PCR index → lowercase hex value after boot.</param>
public sealed record FirmwareManifest(string Product, string Version, IReadOnlyList<FirmwareComponent> Components,
    IReadOnlyDictionary<int, string> ExpectedPcrs)
{
    /// <summary>"product version", the way a device's firmware is recorded.</summary>
    [JsonIgnore]
    public string Release => $"{Product} {Version}";

    /// <summary>The SHA-256 PCR values a boot of <paramref name="components"/> (in order) produces, from zeros.</summary>
    public static SortedDictionary<int, string> ComputeExpectedPcrs(IEnumerable<FirmwareComponent> components)
    {
        var pcrs = new SortedDictionary<int, byte[]>();
        foreach (var component in components)
        {
            var value = pcrs.TryGetValue(component.Pcr, out var v) ? v : new byte[32];
            pcrs[component.Pcr] = SHA256.HashData([.. value, .. Convert.FromHexString(component.Sha256)]);
        }
        return new SortedDictionary<int, string>(pcrs.ToDictionary(p => p.Key, p => Convert.ToHexStringLower(p.Value)));
    }
}
