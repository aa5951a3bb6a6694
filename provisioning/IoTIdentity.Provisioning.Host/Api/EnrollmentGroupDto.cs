using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>An enrolment group as the API reads and writes it.</summary>
public sealed record EnrollmentGroupDto
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
    /// Measured boot: the allowed firmware releases, as manifests (firmware-samples/*/manifest.json). Empty: no
    /// event log is required.
    /// </summary>
    public IReadOnlyList<FirmwareManifest> AllowedFirmware { get; init; } = [];

    /// <summary>Devices admitted so far (read only).</summary>
    public int DeviceCount { get; init; }

    /// <summary>What is wrong with <see cref="AllowedFirmware"/>, or null: every component needs a quoted PCR and a SHA-256.</summary>
    internal string? FirmwareProblem()
    {
        foreach (var release in AllowedFirmware ?? [])
        {
            if (release is null || string.IsNullOrEmpty(release.Product) || string.IsNullOrEmpty(release.Version) || release.Components is not { Count: > 0 })
                return "allowedFirmware releases need a product, a version and components";
            foreach (var c in release.Components)
            {
                if (c is null || string.IsNullOrEmpty(c.Name) || c.Sha256 is not { Length: 64 } || !c.Sha256.All(char.IsAsciiHexDigit))
                    return "allowedFirmware components need a name and a 64-hex-digit sha256";
                if (!PcrIndices.Contains(c.Pcr))
                    return $"allowedFirmware {release.Product} {release.Version} measures {c.Name} into PCR {c.Pcr}, which pcrIndices does not quote";
            }
        }
        return null;
    }

    internal EnrollmentPolicy ToPolicy(string tenantId, string groupId) => new()
    {
        TenantId = tenantId,
        GroupId = groupId,
        TrustedRoots = TrustedRootsPem.Select(pem => X509Certificate2.CreateFromPem(pem).RawData).ToImmutableList(),
        PcrIndices = [.. PcrIndices],
        AllowedPcrValues = AllowedPcrValues.ToImmutableDictionary(p => p.Key, p => p.Value.Select(v => v.ToLowerInvariant()).ToImmutableList()),
        CertificateLifetime = TimeSpan.FromSeconds(CertificateLifetimeSeconds),
        Quota = Quota,
        Enabled = Enabled,
        IndividualOnly = IndividualOnly,
        AllowedFirmware = AllowedFirmware.Select(FirmwareRelease.From).ToImmutableList(),
    };

    internal static EnrollmentGroupDto From(EnrollmentPolicy policy, int deviceCount) => new()
    {
        TrustedRootsPem = policy.TrustedRoots.Select(der => X509CertificateLoader.LoadCertificate(der).ExportCertificatePem()).ToList(),
        PcrIndices = policy.PcrIndices,
        AllowedPcrValues = policy.AllowedPcrValues.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value),
        CertificateLifetimeSeconds = (long)policy.CertificateLifetime.TotalSeconds,
        Quota = policy.Quota,
        Enabled = policy.Enabled,
        IndividualOnly = policy.IndividualOnly,
        AllowedFirmware = policy.AllowedFirmware.Select(r => r.ToManifest()).ToList(),
        DeviceCount = deviceCount,
    };
}
