namespace IoTIdentity.Provisioning.Abstractions.Federation;

/// <summary>A tenant's federation relationships (key = tenantId); every change is audited in the tenant's log.</summary>
public interface IFederationGrain : IGrainWithStringKey
{
    /// <summary>The relationships, by name.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<FederationRelationship>> ListAsync();

    /// <summary>Creates or replaces the relationship of that name.</summary>
    Task SetAsync(FederationRelationship relationship, string actor);

    /// <summary>Stores a newly fetched bundle for the external relationship <paramref name="name"/>; false if there is none.</summary>
    Task<bool> RefreshBundleAsync(string name, string bundle, DateTimeOffset fetchedAt, string actor);

    /// <summary>Removes a relationship; false if there was none. Relying parties stop trusting it at their next refresh.</summary>
    Task<bool> RemoveAsync(string name, string actor);
}
