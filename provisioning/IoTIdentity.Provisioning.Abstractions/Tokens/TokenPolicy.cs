using System.Collections.Immutable;

namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>
/// A group's token authorization policy (key = "{tenantId}/{groupId}", like the group): which audiences its devices may
/// ask tokens for, the scopes each audience gets, the conditions a device must meet at the moment it asks, and token
/// lifetimes. A group without one issues no tokens.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TokenPolicy
{
    /// <summary>The hard cap on any token's lifetime, whatever a policy says.</summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromHours(24);

    /// <summary>Audience → the scopes a token for it carries (possibly none).</summary>
    [Id(0)] public ImmutableSortedDictionary<string, ImmutableList<string>> Audiences { get; init; } = ImmutableSortedDictionary<string, ImmutableList<string>>.Empty;
    /// <summary>The device must be compliant with the group's measured-boot policy (not marked non-compliant).</summary>
    [Id(1)] public bool RequireMeasuredBootCompliant { get; init; }
    /// <summary>The oldest firmware release allowed, as <c>"{product} {version}"</c>; null for any.</summary>
    [Id(2)] public string? MinimumFirmwareRelease { get; init; }
    /// <summary>The longest time since the device's last successful attestation; null for no limit.</summary>
    [Id(3)] public TimeSpan? MaxAttestationAge { get; init; }
    /// <summary>The lifetime of a token when the device asks for none shorter.</summary>
    [Id(4)] public TimeSpan DefaultLifetime { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>The longest lifetime a device may ask for.</summary>
    [Id(5)] public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Increases with every change.</summary>
    [Id(6)] public long Version { get; init; }
}
