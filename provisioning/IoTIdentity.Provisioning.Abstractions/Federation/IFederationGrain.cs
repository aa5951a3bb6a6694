namespace IoTIdentity.Provisioning.Abstractions.Federation;

/// <summary>A tenant's federation relationships (key = tenantId); every change is audited in the tenant's log.</summary>
public interface IFederationGrain : IGrainWithStringKey
{
    /// <summary>The relationships, by name.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<FederationRelationship>> ListAsync();

    /// <summary>Creates or replaces the relationship of that name.</summary>
    Task SetAsync(FederationRelationship relationship, string actor);

    /// <summary>
    /// The external relationships due for a fetch at <paramref name="now"/>; each is claimed for <paramref name="lease"/>
    /// (its next refresh moves that far ahead), so silos running the refresher side by side do not fetch it twice.
    /// </summary>
    Task<IReadOnlyList<FederationRelationship>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease);

    /// <summary>
    /// Records a fetch of the external relationship <paramref name="name"/> from <paramref name="bundleUrl"/>: a bundle
    /// replaces the stored one, an error keeps it and is shown until a fetch succeeds. Null, and nothing recorded, when the
    /// relationship was removed or now points elsewhere (a fetch that finishes after a removal never brings it back).
    /// An owner's fetch (<paramref name="actor"/> set) is always audited; the service's scheduled one (null) only when the
    /// bundle changed, when fetching starts to fail, and when it recovers.
    /// </summary>
    Task<FederationRelationship?> RecordFetchAsync(string name, string bundleUrl, BundleFetchResult result, string? actor);

    /// <summary>Removes a relationship; false if there was none. Relying parties stop trusting it at their next refresh.</summary>
    Task<bool> RemoveAsync(string name, string actor);
}
