using System.Security.Cryptography;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.FirmwareSamples;

namespace IoTIdentity.Attestation.Tests.Firmware;

public sealed class FirmwareSamplesTests
{
    [Fact]
    public void Regenerating_the_samples_gives_the_committed_manifests_byte_for_byte()
    {
        var committed = SampleReleases.LocateInRepository();
        var fresh = Directory.CreateTempSubdirectory("iotid-fw-").FullName;
        try
        {
            SampleReleases.WriteAll(fresh);

            foreach (var release in SampleReleases.Directories)
                Assert.Equal(File.ReadAllBytes(Path.Combine(committed, release, "manifest.json")), File.ReadAllBytes(Path.Combine(fresh, release, "manifest.json")));
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void Every_manifest_names_the_digest_of_its_image_and_the_PCRs_its_components_give()
    {
        foreach (var release in SampleReleases.Build())
        {
            foreach (var image in release.Images)
                Assert.Equal(image.Component.Sha256, Convert.ToHexStringLower(SHA256.HashData(image.Bytes)));
            Assert.Equal(FirmwareManifest.ComputeExpectedPcrs(release.Manifest.Components), release.Manifest.ExpectedPcrs);
            Assert.All(release.Images, i => Assert.InRange(i.Bytes.Length, 1, 16 * 1024));
        }
    }

    [Fact]
    public void The_tampered_release_differs_from_1_0_0_only_in_its_kernel_and_1_1_0_keeps_the_boot_loader()
    {
        var releases = SampleReleases.Build().ToDictionary(r => r.Manifest.Version, r => r.Manifest.Components.ToDictionary(c => c.Name, c => c.Sha256));

        Assert.Equal(["kernel"], releases["1.0.0"].Keys.Where(k => releases["1.0.0"][k] != releases["1.0.0-tampered"][k]));
        Assert.Equal(releases["1.0.0"]["bootloader"], releases["1.1.0"]["bootloader"]);
        Assert.NotEqual(releases["1.0.0"]["kernel"], releases["1.1.0"]["kernel"]);
    }
}
