namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>
/// A tenant's token signing keys (key = tenantId): the current key, created on first use, and retired keys that stay
/// published until every token they signed has expired.
/// </summary>
public interface ITokenAuthorityGrain : IGrainWithStringKey
{
    /// <summary>The key that signs now (created on first use); null if there is no such tenant.</summary>
    Task<TokenSigningKey?> GetSigningKeyAsync();

    /// <summary>The keys a relying party must know: the current one and retired ones still within their overlap.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<TokenSigningKey>> GetPublishedKeysAsync();

    /// <summary>Replaces the signing key; the old one stays published for <see cref="TokenPolicy.LongestLifetime"/>. Audited. Null if no tenant.</summary>
    Task<TokenSigningKey?> RotateAsync(string actor);
}
