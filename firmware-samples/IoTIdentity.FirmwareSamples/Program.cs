using IoTIdentity.FirmwareSamples;

// Usage: dotnet run --project firmware-samples/IoTIdentity.FirmwareSamples -- <output directory>
var root = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
SampleReleases.WriteAll(root);
foreach (var release in SampleReleases.Build())
    Console.WriteLine($"{release.Directory}: {release.Manifest.Release}, {release.Images.Count} components, PCRs {string.Join(",", release.Manifest.ExpectedPcrs.Keys)}");
