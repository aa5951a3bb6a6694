namespace IoTIdentity.Protocol.Management;

/// <summary>
/// A federation relationship (<c>/api/v1/federation/{name}</c>): trust another tenant of this service
/// (<see cref="TenantId"/>) or an external SPIFFE trust domain by its bundle URL (<see cref="BundleUrl"/>); exactly one.
/// See docs/federation.md.
/// </summary>
public sealed record FederationView
{
    /// <summary>The trust domain's name (read only: the route's).</summary>
    public string? Name { get; init; }

    /// <summary>Another tenant of this service.</summary>
    public string? TenantId { get; init; }

    /// <summary>An external trust domain's SPIFFE bundle endpoint (http or https).</summary>
    public string? BundleUrl { get; init; }

    /// <summary>When it was created (read only).</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}
