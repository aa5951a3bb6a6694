using System.Text;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.Tpm.Commands;
using IoTIdentity.Tpm.Sessions;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>
/// A device's boot chain, in small: for each component of a firmware release, in order, it hashes the image as it is
/// on disk, extends the digest into the component's PCR with TPM2_PCR_Extend (every bank of the log in one command)
/// and appends the matching record to a TCG crypto-agile event log. The log goes in
/// <see cref="TpmEnrollmentOptions.EventLog"/>. It measures what it loads, not what the manifest claims: a changed
/// image shows up as a changed digest.
/// </summary>
public static class MeasuredBoot
{
    /// <summary>The banks measured by default: SHA-256, the bank the service quotes.</summary>
    public static IReadOnlyList<TpmAlgId> DefaultBanks { get; } = [TpmAlgId.Sha256];

    /// <summary>
    /// Measures the components of <paramref name="manifest"/>, reading each image from
    /// <paramref name="releaseDirectory"/>, and returns the event log. Run it once per TPM reset: PCRs accumulate.
    /// </summary>
    public static async Task<byte[]> BootAsync(TpmClient tpm, FirmwareManifest manifest, string releaseDirectory,
        IReadOnlyList<TpmAlgId>? banks = null, CancellationToken cancellationToken = default)
    {
        var writer = new EventLogWriter(banks ?? DefaultBanks);
        foreach (var component in manifest.Components)
        {
            var path = Path.GetFullPath(Path.Combine(releaseDirectory, component.File));
            if (!path.StartsWith(Path.GetFullPath(releaseDirectory), StringComparison.Ordinal))
                throw new InvalidOperationException($"component {component.Name} points outside the release directory");
            var image = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            var digests = writer.AddMeasurement(component.Pcr, (TcgEventType)component.EventType, image, Encoding.UTF8.GetBytes(component.Name));
            await tpm.ExecuteAsync(new PcrExtend((uint)component.Pcr, new TpmlDigestValues([.. digests])), [PasswordSession.Empty], cancellationToken)
                .ConfigureAwait(false);
        }
        return writer.ToArray();
    }
}
