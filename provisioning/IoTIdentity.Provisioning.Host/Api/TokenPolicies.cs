using System.Collections.Immutable;
using IoTIdentity.Protocol.Management;
using IoTIdentity.Provisioning.Abstractions.Tokens;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>A <see cref="TokenPolicyView"/> of the API and the <see cref="TokenPolicy"/> a policy grain holds, each way, and what makes one invalid.</summary>
public static class TokenPolicies
{
    /// <summary>What is wrong with <paramref name="view"/>, or null: audiences non-empty printable strings (at most 64), scopes printable without spaces, lifetimes in range, a minimum firmware release of the form "product version".</summary>
    public static string? Check(TokenPolicyView view)
    {
        if (view.Audiences is null || view.Audiences.Count > 64) return "audiences: at most 64";
        foreach (var (audience, scopes) in view.Audiences)
        {
            if (string.IsNullOrWhiteSpace(audience) || audience.Length > 256 || audience.Any(char.IsControl)) return "audiences must be printable, 1–256 characters";
            if (scopes is null || scopes.Any(s => string.IsNullOrEmpty(s) || s.Length > 128 || s.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
                return $"scopes of {audience} must be printable words without spaces";
        }
        var longest = (long)TokenPolicy.LongestLifetime.TotalSeconds;
        if (view.DefaultLifetimeSeconds is < 10 || view.DefaultLifetimeSeconds > longest) return $"defaultLifetimeSeconds must be 10..{longest}";
        if (view.MaxLifetimeSeconds < view.DefaultLifetimeSeconds || view.MaxLifetimeSeconds > longest) return $"maxLifetimeSeconds must be defaultLifetimeSeconds..{longest}";
        if (view.MaxAttestationAgeSeconds is <= 0) return "maxAttestationAgeSeconds must be positive";
        if (view.MinimumFirmwareRelease is { } minimum && !FirmwareReleases.IsValid(minimum)) return "minimumFirmwareRelease is \"{product} {version}\"";
        return null;
    }

    /// <summary>The policy the grain stores (checked first with <see cref="Check"/>).</summary>
    public static TokenPolicy ToPolicy(TokenPolicyView view) => new()
    {
        Audiences = view.Audiences.ToImmutableSortedDictionary(a => a.Key, a => a.Value.Distinct().ToImmutableList(), StringComparer.Ordinal),
        RequireMeasuredBootCompliant = view.RequireMeasuredBootCompliant,
        MinimumFirmwareRelease = view.MinimumFirmwareRelease,
        MaxAttestationAge = view.MaxAttestationAgeSeconds is { } age ? TimeSpan.FromSeconds(age) : null,
        DefaultLifetime = TimeSpan.FromSeconds(view.DefaultLifetimeSeconds),
        MaxLifetime = TimeSpan.FromSeconds(view.MaxLifetimeSeconds),
    };

    /// <summary>The policy as the API shows it.</summary>
    public static TokenPolicyView ToContract(TokenPolicy policy) => new()
    {
        Audiences = policy.Audiences.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value),
        RequireMeasuredBootCompliant = policy.RequireMeasuredBootCompliant,
        MinimumFirmwareRelease = policy.MinimumFirmwareRelease,
        MaxAttestationAgeSeconds = policy.MaxAttestationAge is { } age ? (long)age.TotalSeconds : null,
        DefaultLifetimeSeconds = (long)policy.DefaultLifetime.TotalSeconds,
        MaxLifetimeSeconds = (long)policy.MaxLifetime.TotalSeconds,
        Version = policy.Version,
    };
}
