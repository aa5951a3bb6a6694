using System.Security.Cryptography;
using IoTIdentity.Attestation.Verification;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.TestKit;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using Xunit.Sdk;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The service's measured-boot check against a flood of corrupted event logs: a real log of the 1.0.0 sample, a quote
/// of its PCRs by a software AK, and thousands of seeded mutations of the log. Every one ends in a verdict —
/// the release, <c>EventLogMismatch</c> or <c>MeasurementNotAllowed</c> — and nothing else escapes.
/// </summary>
public sealed class FirmwareCheckFuzzTests
{
    [Fact]
    public void Three_thousand_mutated_firmware_logs_each_end_in_a_release_or_a_measured_boot_refusal()
    {
        var (log, pcrs) = BootInSoftware("1.0.0");
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7);
        var nonce = RandomNumberGenerator.GetBytes(32);
        using var ak = SoftwareAttestationKey.CreateEcc();
        var signed = ak.Quote(selection, pcrs, nonce);
        var quote = QuoteVerifier.Verify(ak.PublicArea, signed.Bytes, signed.Signature, nonce, selection, pcrs);
        var policy = new EnrollmentPolicy
        {
            TenantId = "t", GroupId = "g",
            AllowedFirmware = [FirmwareRelease.From(FirmwareSamplesOnDisk.Manifest("1.0.0")), FirmwareRelease.From(FirmwareSamplesOnDisk.Manifest("1.1.0"))],
        };
        var verdicts = new Dictionary<string, int>();

        for (var i = 0; i < 3000; i++)
        {
            var (mutated, description) = StructureFuzzer.Mutate(log, seed: 88, iteration: i);
            var challenge = new PendingChallenge
            {
                Nonce = nonce, Secret = [], AkPublic = [], PcrSelection = [], ExpiresAt = DateTimeOffset.MaxValue,
                TenantId = "t", GroupId = "g", Mode = "enroll", EventLog = mutated,
            };
            string verdict;
            try
            {
                var checkedFirmware = AttestationChecks.CheckFirmware(policy, challenge, quote);
                verdict = checkedFirmware.IsRefused ? checkedFirmware.Refusal.Error.ToString() : checkedFirmware.Value.Release ?? "none";
            }
            catch (Exception e)
            {
                throw new XunitException($"mutation {i} ({description}) threw {e.GetType().Name}: {e.Message}");
            }
            var refusal = AttestationChecks.CheckFirmware(policy, challenge, quote).Refusal;
            Assert.True(refusal is null or { Error: ProvisioningError.EventLogMismatch or ProvisioningError.MeasurementNotAllowed },
                $"mutation {i} ({description}) was refused with {refusal?.Error}, not an event log reason");
            verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
        }

        Assert.Equal(3000, verdicts.Values.Sum());
        Assert.True(verdicts.GetValueOrDefault(nameof(ProvisioningError.EventLogMismatch)) > 1500, string.Join(", ", verdicts));
        Assert.DoesNotContain("acme-sensor 1.1.0", verdicts.Keys);
    }

    /// <summary>The event log and SHA-256 PCRs 0–7 of a boot of the sample, computed without a TPM.</summary>
    private static (byte[] Log, PcrValue[] Pcrs) BootInSoftware(string version)
    {
        var manifest = FirmwareSamplesOnDisk.Manifest(version);
        var writer = new Attestation.EventLog.EventLogWriter(MeasuredBoot.DefaultBanks);
        foreach (var c in manifest.Components)
            writer.AddMeasurement(c.Pcr, (Attestation.EventLog.TcgEventType)c.EventType, File.ReadAllBytes(Path.Combine(FirmwareSamplesOnDisk.Directory(version), c.File)),
                System.Text.Encoding.UTF8.GetBytes(c.Name));
        var pcrs = Enumerable.Range(0, 8).Select(i => new PcrValue(TpmAlgId.Sha256, i,
            manifest.ExpectedPcrs.TryGetValue(i, out var hex) ? Convert.FromHexString(hex) : new byte[32])).ToArray();
        return (writer.ToArray(), pcrs);
    }
}
