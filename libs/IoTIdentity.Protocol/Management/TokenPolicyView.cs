namespace IoTIdentity.Protocol.Management;

/// <summary>
/// A group's token policy as the management API reads and writes it (<c>/api/v1/enrollment-groups/{groupId}/token-policy</c>):
/// the audiences its devices may ask tokens for with the scopes each gets, the conditions checked when a device asks,
/// and lifetimes in seconds. See docs/tokens.md.
/// </summary>
public sealed record TokenPolicyView
{
    /// <summary>Audience → scopes a token for it carries.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Audiences { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Refuse devices marked non-compliant with the group's measured-boot policy.</summary>
    public bool RequireMeasuredBootCompliant { get; init; }

    /// <summary>The oldest firmware release allowed, <c>"{product} {version}"</c>; null for any.</summary>
    public string? MinimumFirmwareRelease { get; init; }

    /// <summary>The longest time since the last successful attestation, in seconds; null for no limit.</summary>
    public long? MaxAttestationAgeSeconds { get; init; }

    /// <summary>A token's lifetime unless the device asks for a shorter one (default 300).</summary>
    public long DefaultLifetimeSeconds { get; init; } = 300;

    /// <summary>The longest lifetime a device may ask for (default 3600, at most 86400).</summary>
    public long MaxLifetimeSeconds { get; init; } = 3600;

    /// <summary>Increases with every change (read only).</summary>
    public long Version { get; init; }
}
