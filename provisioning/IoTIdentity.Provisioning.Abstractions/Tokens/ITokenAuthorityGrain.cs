namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>
/// A tenant's token signing keys (key = tenantId): the current key and the next one, created on first use, and retired
/// keys that stay published until every token they signed has expired.
/// </summary>
public interface ITokenAuthorityGrain : IGrainWithStringKey
{
    /// <summary>The key that signs now (created on first use); null if there is no such tenant.</summary>
    Task<TokenSigningKey?> GetSigningKeyAsync();

    /// <summary>The key id of the key that signs now, or null before the first key exists (cheap: signers ask it for every token).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<string?> GetCurrentKeyIdAsync();

    /// <summary>The keys a relying party must know: the current one, the next one, and retired ones still within their overlap.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<TokenSigningKey>> GetPublishedKeysAsync();

    /// <summary>The next key signs from now on and a new next key is published; the old one stays published for <see cref="TokenPolicy.LongestLifetime"/>. Audited. Returns the new current key; null if no tenant.</summary>
    Task<TokenSigningKey?> RotateAsync(string actor);
}
