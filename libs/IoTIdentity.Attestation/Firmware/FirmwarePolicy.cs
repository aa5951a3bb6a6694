using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Firmware;

/// <summary>
/// Decides which allowed firmware release a verified event log shows. Pure and offline. A release matches when
/// every measurement the quote vouches for (<see cref="VerifiedEventLog.VerifiedEvents"/>, by PCR and SHA-256
/// digest) is one of the release's components, and every component of the release was measured. A log without a
/// SHA-256 bank, or that matches no release, is <see cref="EventLogFailure.MeasurementNotAllowed"/>.
/// </summary>
public static class FirmwarePolicy
{
    /// <summary>The first allowed release the log matches; throws <see cref="EventLogException"/> if none does.</summary>
    public static FirmwareManifest Match(VerifiedEventLog log, IReadOnlyList<FirmwareManifest> allowed)
    {
        var measured = new HashSet<(int Pcr, string Sha256)>();
        foreach (var record in log.VerifiedEvents)
        {
            var sha256 = record.Digests.FirstOrDefault(d => d.Hash == TpmAlgId.Sha256)
                ?? throw new EventLogException(EventLogFailure.MeasurementNotAllowed, $"record {record.Sequence} has no SHA-256 digest");
            measured.Add((record.PcrIndex, Convert.ToHexStringLower(sha256.Digest)));
        }
        foreach (var release in allowed)
        {
            var components = release.Components.Select(c => (c.Pcr, c.Sha256.ToLowerInvariant())).ToHashSet();
            if (measured.SetEquals(components)) return release;
        }
        var unknown = measured.Where(m => !allowed.Any(r => r.Components.Any(c => c.Pcr == m.Pcr && string.Equals(c.Sha256, m.Sha256, StringComparison.OrdinalIgnoreCase))))
            .Select(m => $"PCR {m.Pcr} {m.Sha256[..16]}…").ToList();
        throw new EventLogException(EventLogFailure.MeasurementNotAllowed, unknown.Count > 0
            ? $"measurements in no allowed release: {string.Join(", ", unknown)}"
            : "the measurements mix releases or miss components of every allowed release");
    }
}
