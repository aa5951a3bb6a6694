using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Attestation.Firmware;

namespace IoTIdentity.FirmwareSamples;

/// <summary>
/// The sample firmware of the fictional "acme-sensor" family, generated from fixed seeds: every byte of every image
/// is SHA-256(seed ‖ counter) output or fixed text, so a run anywhere produces the same files and manifests.
/// </summary>
public static class SampleReleases
{
    /// <summary>The device family.</summary>
    public const string Product = "acme-sensor";

    /// <summary>The directory names of the releases, oldest first; the last is the tampered one.</summary>
    public static IReadOnlyList<string> Directories { get; } = ["acme-sensor-1.0.0", "acme-sensor-1.1.0", "acme-sensor-1.0.0-tampered"];

    /// <summary>A component image before it is written: its manifest entry and its bytes.</summary>
    public sealed record Image(FirmwareComponent Component, byte[] Bytes);

    /// <summary>A release: its directory name, manifest and images.</summary>
    public sealed record Release(string Directory, FirmwareManifest Manifest, IReadOnlyList<Image> Images);

    /// <summary>Builds every release in memory.</summary>
    public static IReadOnlyList<Release> Build() =>
    [
        Make("acme-sensor-1.0.0", "1.0.0", bootloader: "bootloader-2024.1", kernel: "kernel-6.1.90", rootfs: "rootfs-1.0.0", tamper: false),
        // 1.1.0 keeps the boot loader and config, updates the kernel and the root file system
        Make("acme-sensor-1.1.0", "1.1.0", bootloader: "bootloader-2024.1", kernel: "kernel-6.6.30", rootfs: "rootfs-1.1.0", tamper: false),
        // 1.0.0 with its kernel patched: the manifest records what such a device really measures; no policy allows it
        Make("acme-sensor-1.0.0-tampered", "1.0.0-tampered", bootloader: "bootloader-2024.1", kernel: "kernel-6.1.90", rootfs: "rootfs-1.0.0", tamper: true),
    ];

    /// <summary>Writes every release under <paramref name="root"/>: images and manifest.json per release directory.</summary>
    public static void WriteAll(string root)
    {
        foreach (var release in Build())
        {
            var directory = Path.Combine(root, release.Directory);
            System.IO.Directory.CreateDirectory(directory);
            foreach (var image in release.Images) File.WriteAllBytes(Path.Combine(directory, image.Component.File), image.Bytes);
            File.WriteAllBytes(Path.Combine(directory, "manifest.json"), FirmwareManifestJson.Serialize(release.Manifest));
        }
    }

    /// <summary>The committed firmware-samples directory of the repository that contains <paramref name="start"/>.</summary>
    public static string LocateInRepository(string? start = null)
    {
        for (var directory = new DirectoryInfo(start ?? AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "firmware-samples");
            if (File.Exists(Path.Combine(candidate, "generate.sh"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no firmware-samples/generate.sh above {start ?? AppContext.BaseDirectory}");
    }

    private static Release Make(string directory, string version, string bootloader, string kernel, string rootfs, bool tamper)
    {
        var kernelImage = Pseudorandom(kernel, 8192);
        if (tamper) Encoding.ASCII.GetBytes("init=/bin/backdoor").CopyTo(kernelImage, 4096);
        var rootfsImage = RootfsManifest(rootfs);
        var images = new List<(string Name, string File, int Pcr, TcgEventType Type, byte[] Bytes)>
        {
            ("bootloader", "bootloader.bin", 0, TcgEventType.PostCode, Pseudorandom(bootloader, 4096)),
            ("config", "config.txt", 1, TcgEventType.PlatformConfigFlags, Encoding.ASCII.GetBytes("console=ttyS0,115200\nwatchdog=on\nsecure_boot=on\n")),
            ("kernel", "kernel.bin", 4, TcgEventType.Ipl, kernelImage),
            ("rootfs", "rootfs.manifest", 5, TcgEventType.Ipl, rootfsImage),
        };
        var components = images.Select(i => new FirmwareComponent(i.Name, i.File, i.Pcr, (uint)i.Type, Convert.ToHexStringLower(SHA256.HashData(i.Bytes)))).ToList();
        var manifest = new FirmwareManifest(Product, version, components, FirmwareManifest.ComputeExpectedPcrs(components));
        return new Release(directory, manifest, components.Zip(images, (c, i) => new Image(c, i.Bytes)).ToList());
    }

    /// <summary><paramref name="length"/> bytes of SHA-256(seed ‖ big-endian counter) blocks.</summary>
    private static byte[] Pseudorandom(string seed, int length)
    {
        var output = new byte[length];
        var seedBytes = Encoding.UTF8.GetBytes(seed);
        for (var block = 0; block * 32 < length; block++)
        {
            byte[] counter = [(byte)(block >> 24), (byte)(block >> 16), (byte)(block >> 8), (byte)block];
            var hash = SHA256.HashData([.. seedBytes, .. counter]);
            hash.AsSpan(0, Math.Min(32, length - block * 32)).CopyTo(output.AsSpan(block * 32));
        }
        return output;
    }

    /// <summary>A dm-verity-like list of the root file system's files and their digests, as text.</summary>
    private static byte[] RootfsManifest(string seed)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(seed).Append('\n');
        string[] files = ["/bin/sensord", "/etc/sensord.conf", "/lib/libacme.so", "/usr/share/acme/calibration.dat"];
        foreach (var file in files)
            text.Append(Convert.ToHexStringLower(Pseudorandom($"{seed}:{file}", 32))).Append("  ").Append(file).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
