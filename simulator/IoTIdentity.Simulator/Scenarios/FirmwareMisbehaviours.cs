using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.FirmwareSamples;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Ek;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The firmware misbehaviours. They need measured boot against a group that names releases, which the fleet's own
/// group (PCRs all zero) does not: so each runs a device of a vendor of its own (a manufacturer CA kept in the work
/// directory) on a swtpm of its own, and puts the group <see cref="Group"/> into the fleet's tenant, trusting that
/// vendor and allowing the sample releases 1.0.0 and 1.1.0. The device boots the releases with real PCR extends,
/// rebooting the swtpm in between.
/// </summary>
public static class FirmwareMisbehaviours
{
    /// <summary>The enrolment group the firmware misbehaviours' devices join.</summary>
    public const string Group = "adversarial-firmware";

    /// <summary>A device attests 1.1.0, then, after a reboot, the older (still allowed) 1.0.0.</summary>
    public static Task<IReadOnlyList<string>> DowngradeAsync(MisbehaviourContext context, CancellationToken ct) =>
        RunAsync(context, "1.1.0", release => release("1.0.0"), ct);

    /// <summary>A device attests 1.1.0, then boots 1.1.0 again measuring its bootloader twice: the same release, other PCRs.</summary>
    public static Task<IReadOnlyList<string>> DriftAsync(MisbehaviourContext context, CancellationToken ct) =>
        RunAsync(context, "1.1.0", release => BootloaderTwice(release("1.1.0")), ct);

    private static FirmwareManifest BootloaderTwice(FirmwareManifest release) => release with { Components = [release.Components[0], .. release.Components] };

    private static async Task<IReadOnlyList<string>> RunAsync(MisbehaviourContext context, string first, Func<Func<string, FirmwareManifest>, FirmwareManifest> second,
        CancellationToken ct)
    {
        var releases = Path.Combine(context.WorkDirectory, "firmware");
        if (!Directory.Exists(Path.Combine(releases, $"{SampleReleases.Product}-1.1.0"))) SampleReleases.WriteAll(releases);
        FirmwareManifest Release(string version) => FirmwareManifestJson.Load(Path.Combine(releases, $"{SampleReleases.Product}-{version}", "manifest.json"));
        using var vendor = ManufacturerCa.LoadOrCreate(Path.Combine(context.WorkDirectory, "firmware-vendor"),
            Fleet.ManufacturerShape with { Name = "IoTIdentity Simulated Firmware Vendor" });
        await PutGroupAsync(context.Api, vendor, [Release("1.0.0"), Release("1.1.0")], ct);

        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: ct);
        await using var tpm = new TpmClient(swtpm.Transport, ownsTransport: false);
        var template = EkTemplates.WithUnique(EkTemplates.EccP256, RandomNumberGenerator.GetBytes(32));
        var ek = await tpm.CreateEkAsync(template, cancellationToken: ct);
        await tpm.FlushAsync(ek.ObjectHandle, ct);
        var device = new TpmEnrollmentOptions
        {
            EkTemplate = template, EkCertificate = Fleet.IssueEkCertificate(vendor, ek.OutPublic.Value), EkIntermediates = vendor.IntermediatesDer,
            EnrollmentScope = context.Fleet.EnrollmentScope,
        };

        var booted = await BootAsync(swtpm, tpm, Release(first), Path.Combine(releases, $"{SampleReleases.Product}-{first}"), ct);
        var enrollment = new TpmEnrollment(tpm, device with { EventLog = booted });
        var deviceId = await enrollment.ReadDeviceIdAsync(ct);
        EnrollmentResult enrolled;
        await using (var firstBoot = await EnrollmentClient.ConnectAsync(deviceId, context.Client, ct))
            enrolled = await enrollment.EnrollAsync(firstBoot, ct);
        await using var connection = await AuthenticatedSessions.ConnectHoldingTpmAsync(enrollment, enrolled, context.Client, ct);
        var next = second(Release);
        var rebooted = await BootAsync(swtpm, tpm, next, Path.Combine(releases, $"{SampleReleases.Product}-{next.Version}"), ct);
        await new TpmEnrollment(tpm, device with { EventLog = rebooted }).RenewAsync(connection, enrolled.DeviceKey, enrolled.Issued.SerialNumber, ct);
        return [deviceId];
    }

    /// <summary>Resets the swtpm (PCRs back to zeros, EK kept) and measures <paramref name="release"/>; returns the event log.</summary>
    private static async Task<byte[]> BootAsync(SwtpmProcess swtpm, TpmClient tpm, FirmwareManifest release, string directory, CancellationToken ct)
    {
        await swtpm.Transport.ResetAsync(ct);
        await tpm.ExecuteAsync(new Startup(TpmSu.Clear), [], ct);
        return await MeasuredBoot.BootAsync(tpm, release, directory, cancellationToken: ct);
    }

    private static async Task PutGroupAsync(IotIdClient api, ManufacturerCa vendor, IReadOnlyList<FirmwareManifest> allowed, CancellationToken ct) =>
        await api.PutGroupAsync(Group, new EnrollmentGroup
        {
            TrustedRootsPem = [new string(PemEncoding.Write("CERTIFICATE", vendor.RootDer))],
            AllowedFirmware = [.. allowed.Select(m => JsonSerializer.SerializeToElement(m, JsonSerializerOptions.Web))],
        }, ct);
}
