// The enrolment shapes as provisioning/IoTIdentity.Provisioning/Api (EnrollmentGroupDto, EnrollmentsApi) writes them.
using System.Text.Json;

namespace IoTIdentity.Fleet.Cli.Client;

/// <summary>An enrolment group (the service's <c>EnrollmentGroupDto</c>).</summary>
public sealed record EnrollmentGroup
{
    /// <summary>Trusted TPM manufacturer root certificates, PEM.</summary>
    public IReadOnlyList<string> TrustedRootsPem { get; init; } = [];

    /// <summary>SHA-256 PCRs to quote.</summary>
    public IReadOnlyList<int> PcrIndices { get; init; } = [0, 1, 2, 3, 4, 5, 6, 7];

    /// <summary>Allowed values (hex) per PCR.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> AllowedPcrValues { get; init; } = new Dictionary<int, IReadOnlyList<string>>();

    /// <summary>Device certificate lifetime in seconds.</summary>
    public long CertificateLifetimeSeconds { get; init; } = (long)TimeSpan.FromDays(30).TotalSeconds;

    /// <summary>The most devices the group admits; null for no limit.</summary>
    public int? Quota { get; init; }

    /// <summary>Whether the group admits devices.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Admit only individually enrolled devices.</summary>
    public bool IndividualOnly { get; init; }

    /// <summary>Allowed firmware releases (manifests), passed through as the service and the file hold them.</summary>
    public IReadOnlyList<JsonElement> AllowedFirmware { get; init; } = [];

    /// <summary>Devices admitted so far (read only).</summary>
    public int DeviceCount { get; init; }
}

/// <summary>An individual enrolment: which of the tenant's groups' policy applies to one device.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Enabled">Whether the device is admitted.</param>
public sealed record IndividualEnrollment(string GroupId, bool Enabled = true);
