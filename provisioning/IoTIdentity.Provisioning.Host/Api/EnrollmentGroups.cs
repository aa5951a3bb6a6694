using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTIdentity.Attestation.Firmware;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>An <see cref="EnrollmentGroup"/> of the API and the <see cref="EnrollmentPolicy"/> a group grain holds, each way.</summary>
public static class EnrollmentGroups
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The group's allowed firmware as manifests, or what is wrong with them: every release needs a product, a version
    /// and components; every component a name, a SHA-256 and a PCR that <see cref="EnrollmentGroup.PcrIndices"/> quotes.
    /// </summary>
    public static string? ReadFirmware(EnrollmentGroup group, out IReadOnlyList<FirmwareManifest> releases)
    {
        releases = [];
        var read = new List<FirmwareManifest>();
        foreach (var element in group.AllowedFirmware ?? [])
        {
            FirmwareManifest? release;
            try
            {
                release = element.Deserialize<FirmwareManifest>(Json);
            }
            catch (JsonException)
            {
                release = null;
            }
            if (release is null || string.IsNullOrEmpty(release.Product) || string.IsNullOrEmpty(release.Version) || release.Components is not { Count: > 0 })
                return "allowedFirmware releases need a product, a version and components";
            foreach (var c in release.Components)
            {
                if (c is null || string.IsNullOrEmpty(c.Name) || c.Sha256 is not { Length: 64 } || !c.Sha256.All(char.IsAsciiHexDigit))
                    return "allowedFirmware components need a name and a 64-hex-digit sha256";
                if (!group.PcrIndices.Contains(c.Pcr))
                    return $"allowedFirmware {release.Product} {release.Version} measures {c.Name} into PCR {c.Pcr}, which pcrIndices does not quote";
            }
            read.Add(release);
        }
        releases = read;
        return null;
    }

    /// <summary>The policy the group grain stores; throws <see cref="System.Security.Cryptography.CryptographicException"/> or <see cref="ArgumentException"/> on a root that is no PEM certificate.</summary>
    public static EnrollmentPolicy ToPolicy(this EnrollmentGroup group, IReadOnlyList<FirmwareManifest> firmware, string tenantId, string groupId) => new()
    {
        TenantId = tenantId,
        GroupId = groupId,
        TrustedRoots = group.TrustedRootsPem.Select(pem => X509Certificate2.CreateFromPem(pem).RawData).ToImmutableList(),
        PcrIndices = [.. group.PcrIndices],
        AllowedPcrValues = group.AllowedPcrValues.ToImmutableDictionary(p => p.Key, p => p.Value.Select(v => v.ToLowerInvariant()).ToImmutableList()),
        CertificateLifetime = TimeSpan.FromSeconds(group.CertificateLifetimeSeconds),
        Quota = group.Quota,
        Enabled = group.Enabled,
        IndividualOnly = group.IndividualOnly,
        AllowedFirmware = firmware.Select(FirmwareRelease.From).ToImmutableList(),
    };

    /// <summary>The group as the API shows it.</summary>
    public static EnrollmentGroup ToContract(this EnrollmentPolicy policy, int deviceCount) => new()
    {
        TrustedRootsPem = policy.TrustedRoots.Select(der => X509CertificateLoader.LoadCertificate(der).ExportCertificatePem()).ToList(),
        PcrIndices = policy.PcrIndices,
        AllowedPcrValues = policy.AllowedPcrValues.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value),
        CertificateLifetimeSeconds = (long)policy.CertificateLifetime.TotalSeconds,
        Quota = policy.Quota,
        Enabled = policy.Enabled,
        IndividualOnly = policy.IndividualOnly,
        AllowedFirmware = policy.AllowedFirmware.Select(r => JsonSerializer.SerializeToElement(r.ToManifest(), Json)).ToList(),
        DeviceCount = deviceCount,
    };
}
