namespace IoTIdentity.Provisioning.Abstractions.Federation;

/// <summary>
/// A tenant's agreement to trust another trust domain: another tenant of this service (<see cref="TenantId"/>), or an
/// external SPIFFE trust domain whose bundle is at <see cref="BundleUrl"/>. Exactly one of the two is set.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FederationRelationship
{
    /// <summary>The trust domain's name in the federated bundle set (the other tenant's id, or a name the owner picks).</summary>
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string? TenantId { get; init; }
    [Id(2)] public string? BundleUrl { get; init; }
    [Id(3)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public required string CreatedBy { get; init; }
    /// <summary>The external domain's bundle (JSON) as last fetched for the owner; what the federated bundle set serves.</summary>
    [Id(5)] public string? Bundle { get; init; }
    /// <summary>When <see cref="Bundle"/> was fetched.</summary>
    [Id(6)] public DateTimeOffset? BundleFetchedAt { get; init; }

    /// <summary>When the service fetches the external bundle next (the refresher claims it then).</summary>
    [Id(7)] public DateTimeOffset? NextRefreshAt { get; init; }

    /// <summary>When the last fetch, successful or not, was made.</summary>
    [Id(8)] public DateTimeOffset? LastRefreshAttemptAt { get; init; }

    /// <summary>Why the last fetch failed, while it is the latest (null once a fetch succeeds).</summary>
    [Id(9)] public string? LastRefreshError { get; init; }

    /// <summary>Fetches failed in a row since the last successful one (the backoff grows with it).</summary>
    [Id(10)] public int RefreshFailures { get; init; }

    /// <summary>The <c>spiffe_refresh_hint</c> of the stored bundle, in seconds, when it had one.</summary>
    [Id(11)] public int? RefreshHintSeconds { get; init; }
}
