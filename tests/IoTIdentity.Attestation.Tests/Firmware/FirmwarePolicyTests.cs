using System.Text;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.Firmware;

public sealed class FirmwarePolicyTests
{
    private static readonly IReadOnlyDictionary<string, SampleReleases.Release> Releases = SampleReleases.Build().ToDictionary(r => r.Manifest.Version);

    [Fact]
    public void A_boot_of_an_allowed_release_matches_that_release()
    {
        var log = Verify(Boot(Releases["1.1.0"]));

        var release = FirmwarePolicy.Match(log, [Releases["1.0.0"].Manifest, Releases["1.1.0"].Manifest]);

        Assert.Equal("acme-sensor 1.1.0", release.Release);
    }

    [Fact]
    public void A_boot_of_the_tampered_release_is_refused_as_MeasurementNotAllowed()
    {
        var log = Verify(Boot(Releases["1.0.0-tampered"]));

        var e = Assert.Throws<EventLogException>(() => FirmwarePolicy.Match(log, [Releases["1.0.0"].Manifest, Releases["1.1.0"].Manifest]));

        Assert.Equal(EventLogFailure.MeasurementNotAllowed, e.Failure);
        Assert.Contains("PCR 4", e.Message);
    }

    [Fact]
    public void A_boot_mixing_components_of_two_releases_is_refused_as_MeasurementNotAllowed()
    {
        var mixed = Releases["1.0.0"] with { Images = [.. Releases["1.0.0"].Images.Take(3), Releases["1.1.0"].Images[3]] };

        var e = Assert.Throws<EventLogException>(() => FirmwarePolicy.Match(Verify(Boot(mixed)), [Releases["1.0.0"].Manifest, Releases["1.1.0"].Manifest]));

        Assert.Equal(EventLogFailure.MeasurementNotAllowed, e.Failure);
    }

    [Fact]
    public void A_boot_that_skips_a_component_is_refused_as_MeasurementNotAllowed()
    {
        var partial = Releases["1.0.0"] with { Images = [.. Releases["1.0.0"].Images.Take(3)] };

        var e = Assert.Throws<EventLogException>(() => FirmwarePolicy.Match(Verify(Boot(partial)), [Releases["1.0.0"].Manifest]));

        Assert.Equal(EventLogFailure.MeasurementNotAllowed, e.Failure);
    }

    [Fact]
    public void The_manifest_PCR_values_are_what_a_boot_of_the_release_replays_to()
    {
        var replayed = EventLogReplay.Replay(EventLogParser.Parse(Boot(Releases["1.0.0"])));

        Assert.Equal(Releases["1.0.0"].Manifest.ExpectedPcrs, replayed.ToDictionary(p => p.Index, p => Convert.ToHexStringLower(p.Digest)));
    }

    private static byte[] Boot(SampleReleases.Release release)
    {
        var writer = new EventLogWriter([TpmAlgId.Sha256]);
        foreach (var image in release.Images)
            writer.AddMeasurement(image.Component.Pcr, (TcgEventType)image.Component.EventType, image.Bytes, Encoding.UTF8.GetBytes(image.Component.Name));
        return writer.ToArray();
    }

    private static VerifiedEventLog Verify(byte[] log)
    {
        var quoted = Enumerable.Range(0, 8).Select(i => new PcrValue(TpmAlgId.Sha256, i, new byte[32])).ToList();
        foreach (var pcr in EventLogReplay.Replay(EventLogParser.Parse(log))) quoted[pcr.Index] = pcr;
        return EventLogVerifier.Verify(log, quoted);
    }
}
