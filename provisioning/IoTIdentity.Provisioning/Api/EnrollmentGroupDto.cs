using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Grains;

namespace IoTIdentity.Provisioning.Api;

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

    /// <summary>Devices admitted so far (read only).</summary>
    public int DeviceCount { get; init; }

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
        DeviceCount = deviceCount,
    };
}
