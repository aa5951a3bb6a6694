using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>The device side of measured boot on a real swtpm: real PCR_Extend, and a log that explains the PCRs.</summary>
public sealed class FirmwareMeasuredBootTests : SwtpmBench
{
    private static readonly TpmlPcrSelection FirmwarePcrs = TpmlPcrSelection.Of(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7]);

    [Fact]
    public async Task Booting_a_release_leaves_the_manifest_PCR_values_in_the_TPM_and_a_log_that_replays_to_them()
    {
        var log = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0");

        var pcrs = await Tpm.ReadPcrsAsync(FirmwarePcrs);
        var expected = FirmwareSamplesOnDisk.Manifest("1.0.0").ExpectedPcrs;
        foreach (var pcr in pcrs)
            Assert.Equal(expected.TryGetValue(pcr.Index, out var value) ? value : new string('0', 64), Convert.ToHexStringLower(pcr.Digest));
        Assert.Equal(4, EventLogVerifier.Verify(log, pcrs).VerifiedEvents.Count);
    }

    [Fact]
    public async Task Tpm2_eventlog_replays_the_log_of_a_boot_to_the_PCR_values_the_TPM_holds()
    {
        var log = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.1.0");

        var theirs = Tpm2Eventlog.ReplayPcrs(log);

        var pcrs = await Tpm.ReadPcrsAsync(FirmwarePcrs);
        Assert.Equal([0, 1, 4, 5], theirs.Keys.Where(k => k.Bank == "sha256").Select(k => k.Index).Order());
        Assert.All(theirs.Where(t => t.Key.Bank == "sha256"), t => Assert.Equal(Convert.ToHexStringLower(pcrs.Single(p => p.Index == t.Key.Index).Digest), t.Value));
    }

    [Fact]
    public async Task After_a_reboot_into_the_update_the_TPM_holds_the_new_release_PCR_values()
    {
        await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0");

        await FirmwareSamplesOnDisk.RebootAsync(Swtpm, Tpm);
        var log = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.1.0");

        var pcrs = await Tpm.ReadPcrsAsync(FirmwarePcrs);
        Assert.Equal(FirmwareSamplesOnDisk.Manifest("1.1.0").ExpectedPcrs[4], Convert.ToHexStringLower(pcrs.Single(p => p.Index == 4).Digest));
        EventLogVerifier.Verify(log, pcrs);
    }

    [Fact]
    public async Task Booting_twice_without_a_reboot_leaves_PCRs_the_second_log_does_not_explain()
    {
        await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0");
        var second = await FirmwareSamplesOnDisk.BootAsync(Tpm, "1.0.0");

        var e = Assert.Throws<EventLogException>(() => EventLogVerifier.Verify(second, Tpm.ReadPcrsAsync(FirmwarePcrs).GetAwaiter().GetResult()));

        Assert.Equal(EventLogFailure.PcrMismatch, e.Failure);
    }
}
