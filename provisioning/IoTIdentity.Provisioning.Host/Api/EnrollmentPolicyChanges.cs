using System.Globalization;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// What an enrolment group's change changed, as audit details: one entry per setting that differs, <c>before → after</c>
/// (a new group: every setting, as it is). Trusted roots show as fingerprints; each root added or removed also gets an
/// entry of its own (<see cref="ConfigurationAudit.RecordRootsAsync"/>).
/// </summary>
public static class EnrollmentPolicyChanges
{
    private const int MaxValue = 1000;

    /// <summary>The settings of <paramref name="after"/> that differ from <paramref name="before"/> (all of them when it is null).</summary>
    public static Dictionary<string, string> Between(EnrollmentPolicy? before, EnrollmentPolicy after)
    {
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, read) in Settings)
        {
            var now = read(after);
            if (before is null) changes[name] = Clip(now);
            else if (read(before) is var was && was != now) changes[name] = Clip($"{was} → {now}");
        }
        return changes;
    }

    private static readonly (string Name, Func<EnrollmentPolicy, string> Read)[] Settings =
    [
        ("trustedRoots", p => ConfigurationAudit.Fingerprints(p.TrustedRoots.OrderBy(ConfigurationAudit.Fingerprint, StringComparer.Ordinal))),
        ("pcrIndices", p => string.Join(',', p.PcrIndices)),
        ("allowedPcrValues", p => string.Join(' ', p.AllowedPcrValues.OrderBy(v => v.Key).Select(v => $"{v.Key}={string.Join('|', v.Value)}"))),
        ("allowedFirmware", p => string.Join(", ", p.AllowedFirmware.Select(r => $"{r.Product} {r.Version}").Order(StringComparer.Ordinal))),
        ("certificateLifetimeSeconds", p => ((long)p.CertificateLifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
        ("quota", p => p.Quota?.ToString(CultureInfo.InvariantCulture) ?? "none"),
        ("enabled", p => p.Enabled ? "true" : "false"),
        ("individualOnly", p => p.IndividualOnly ? "true" : "false"),
    ];

    private static string Clip(string value) => value.Length == 0 ? "(empty)" : value.Length <= MaxValue ? value : value[..(MaxValue - 1)] + "…";
}
