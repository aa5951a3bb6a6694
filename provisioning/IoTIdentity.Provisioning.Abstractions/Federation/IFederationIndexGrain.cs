namespace IoTIdentity.Provisioning.Abstractions.Federation;

/// <summary>
/// The tenants that federate with at least one external trust domain (key <see cref="Key"/>): what the bundle refresher
/// visits, so it never activates the federation grain of a tenant with nothing to fetch.
/// </summary>
public interface IFederationIndexGrain : IGrainWithStringKey
{
    /// <summary>The one index.</summary>
    public const string Key = "all";

    /// <summary>The tenants, in ordinal order.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>Adds a tenant (idempotent).</summary>
    Task AddAsync(string tenantId);

    /// <summary>Removes a tenant (idempotent).</summary>
    Task RemoveAsync(string tenantId);

    /// <summary>Whether the tenants federated before this index existed have been added (done once, by the first refresher).</summary>
    Task<bool> IsBackfilledAsync();

    /// <summary>Records that the backfill is done.</summary>
    Task MarkBackfilledAsync();
}
