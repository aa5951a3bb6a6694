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

    /// <summary>When the external domain's bundle now served was fetched (read only).</summary>
    public DateTimeOffset? BundleFetchedAt { get; init; }

    /// <summary>When that bundle stops being served if no fetch succeeds before (read only).</summary>
    public DateTimeOffset? BundleExpiresAt { get; init; }

    /// <summary>When the service fetches the bundle next (read only).</summary>
    public DateTimeOffset? NextRefreshAt { get; init; }

    /// <summary>When the last fetch, successful or not, was made (read only).</summary>
    public DateTimeOffset? LastRefreshAttemptAt { get; init; }

    /// <summary>Why the last fetch failed, while no later one succeeded (read only).</summary>
    public string? LastRefreshError { get; init; }

    /// <summary>Fetches failed in a row (read only).</summary>
    public int? RefreshFailures { get; init; }
}
