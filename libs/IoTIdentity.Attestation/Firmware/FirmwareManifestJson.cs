using System.Text;
using System.Text.Json;

namespace IoTIdentity.Attestation.Firmware;

/// <summary>The manifest file format: indented camelCase JSON, LF line ends, a final newline — the same bytes every time.</summary>
public static class FirmwareManifestJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true, NewLine = "\n" };

    /// <summary>The manifest as file bytes.</summary>
    public static byte[] Serialize(FirmwareManifest manifest) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(manifest, Options) + "\n");

    /// <summary>Reads a manifest; throws <see cref="JsonException"/> if it is not one.</summary>
    public static FirmwareManifest Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<FirmwareManifest>(json, Options) ?? throw new JsonException("empty manifest");

    /// <summary>Reads the manifest file at <paramref name="path"/>.</summary>
    public static FirmwareManifest Load(string path) => Deserialize(File.ReadAllBytes(path));
}
