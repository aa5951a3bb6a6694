using System.Text.Json;

namespace IoTIdentity.Protocol.Management;

/// <summary>An enrolment group as <c>/api/v1/enrollment-groups/{groupId}</c> reads and writes it; absent fields take the defaults below.</summary>
public sealed record EnrollmentGroup
{
    /// <summary>Trusted TPM manufacturer root certificates, PEM.</summary>
    public IReadOnlyList<string> TrustedRootsPem { get; init; } = [];

    /// <summary>SHA-256 PCRs to quote.</summary>
    public IReadOnlyList<int> PcrIndices { get; init; } = [0, 1, 2, 3, 4, 5, 6, 7];

    /// <summary>Allowed values (hex) per PCR; a PCR not listed may hold anything.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> AllowedPcrValues { get; init; } = new Dictionary<int, IReadOnlyList<string>>();

    /// <summary>Device certificate lifetime in seconds (default 30 days).</summary>
    public long CertificateLifetimeSeconds { get; init; } = (long)TimeSpan.FromDays(30).TotalSeconds;

    /// <summary>The most devices the group admits; null for no limit.</summary>
    public int? Quota { get; init; }

    /// <summary>Whether the group admits devices.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Admit only individually enrolled devices.</summary>
    public bool IndividualOnly { get; init; }

    /// <summary>
    /// Measured boot: the allowed firmware releases, as manifests (the format of firmware-samples/*/manifest.json, read
    /// by the service as <c>IoTIdentity.Attestation.Firmware.FirmwareManifest</c>), carried here as the JSON they are.
    /// Empty: no event log is required.
    /// </summary>
    public IReadOnlyList<JsonElement> AllowedFirmware { get; init; } = [];

    /// <summary>Devices admitted so far (read only).</summary>
    public int DeviceCount { get; init; }
}
