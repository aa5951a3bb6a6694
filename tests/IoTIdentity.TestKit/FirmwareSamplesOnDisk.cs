using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.TestKit;

/// <summary>The sample releases written once per test run to a temp directory, and a swtpm reboot into one of them.</summary>
public static class FirmwareSamplesOnDisk
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = System.IO.Directory.CreateTempSubdirectory("iotid-firmware-").FullName;
        SampleReleases.WriteAll(root);
        return root;
    });

    /// <summary>The directory of release <paramref name="version"/> ("1.0.0", "1.1.0", "1.0.0-tampered").</summary>
    public static string Directory(string version) => Path.Combine(Root.Value, $"{SampleReleases.Product}-{version}");

    /// <summary>The manifest of release <paramref name="version"/>.</summary>
    public static FirmwareManifest Manifest(string version) => FirmwareManifestJson.Load(Path.Combine(Directory(version), "manifest.json"));

    /// <summary>The manifest of <paramref name="version"/> as the management API carries it (<c>allowedFirmware</c> of a group).</summary>
    public static System.Text.Json.JsonElement ManifestJson(string version) =>
        System.Text.Json.JsonSerializer.SerializeToElement(Manifest(version), System.Text.Json.JsonSerializerOptions.Web);

    /// <summary>Measures release <paramref name="version"/> into the TPM's PCRs and returns the event log.</summary>
    public static Task<byte[]> BootAsync(TpmClient tpm, string version) => MeasuredBoot.BootAsync(tpm, Manifest(version), Directory(version));

    /// <summary>Reboots the swtpm (CMD_INIT, TPM2_Startup(CLEAR): PCRs 0–15 back to zeros; EK and NV kept).</summary>
    public static async Task RebootAsync(SwtpmProcess swtpm, TpmClient tpm)
    {
        await swtpm.Transport.ResetAsync();
        await tpm.ExecuteAsync(new Startup(TpmSu.Clear), []);
    }
}
