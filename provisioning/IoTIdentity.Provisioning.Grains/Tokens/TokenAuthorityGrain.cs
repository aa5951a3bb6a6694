using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Abstractions.Tokens;
using IoTIdentity.Provisioning.Certificates;
using Microsoft.IdentityModel.Tokens;

namespace IoTIdentity.Provisioning.Grains.Tokens;

/// <summary>
/// A tenant's token signing keys: the current key, the next key and retired keys. The first two are made on first use
/// and both published at once. A rotation retires the current key (it signs nothing more, and stays published for
/// <see cref="TokenPolicy.LongestLifetime"/>, longer than any token it signed lives), makes the next key current, and
/// publishes a new next key. So a relying party that fetched the JWKS at any time since the previous rotation already
/// knows the key that signs after this one, however long it caches the JWKS (JwtBearer refreshes at most every 5 minutes).
/// </summary>
public sealed class TokenAuthorityGrain(
    [PersistentState("token-keys", ProvisioningStorage.Name)] IPersistentState<TokenAuthorityState> state,
    TenantCertificateAuthority authority,
    AuditTrail audit,
    TimeProvider clock) : Grain, ITokenAuthorityGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    public async Task<TokenSigningKey?> GetSigningKeyAsync()
    {
        if (Current() is { } current) return current;
        if (!await GrainFactory.GetGrain<ITenantGrain>(TenantId).ExistsAsync()) return null;
        var key = NewKey();
        state.State = state.State with { Keys = state.State.Keys.Add(key).Add(NewKey() with { Next = true }) };
        await state.WriteStateAsync();
        return key;
    }

    public Task<string?> GetCurrentKeyIdAsync() => Task.FromResult(Current()?.KeyId);

    public Task<IReadOnlyList<TokenSigningKey>> GetPublishedKeysAsync()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<TokenSigningKey>>(state.State.Keys.Where(k => k.PublishedUntil is null || k.PublishedUntil > now).ToList());
    }

    public async Task<TokenSigningKey?> RotateAsync(string actor)
    {
        if (!await GrainFactory.GetGrain<ITenantGrain>(TenantId).ExistsAsync()) return null;
        await GetSigningKeyAsync();
        var now = clock.GetUtcNow();
        var kept = state.State.Keys
            .Where(k => k.PublishedUntil is null || k.PublishedUntil > now)
            .Select(k => k.Next ? k with { Next = false, CreatedAt = now }
                : k.RetiredAt is null ? k with { RetiredAt = now, PublishedUntil = now + TokenPolicy.LongestLifetime } : k);
        state.State = state.State with { Keys = [.. kept, NewKey() with { Next = true }] };
        await state.WriteStateAsync();
        var current = Current()!;
        await audit.RecordAsync(TenantId, AuditActions.TokenKeyRotate, current.KeyId, "rotated", [], actor);
        return current;
    }

    private TokenSigningKey? Current() => state.State.Keys.LastOrDefault(k => k.RetiredAt is null && !k.Next);

    private TokenSigningKey NewKey()
    {
        var (sealedKey, publicKey) = authority.CreateTokenSigningKey(TenantId);
        return new TokenSigningKey { KeyId = KeyIdOf(publicKey), ProtectedPrivateKey = sealedKey, PublicKey = publicKey, CreatedAt = clock.GetUtcNow() };
    }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url) of a P-256 public key: the key id.</summary>
    public static string KeyIdOf(byte[] subjectPublicKeyInfo)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ecdsa));
        return Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }
}
