namespace IoTIdentity.Provisioning.Abstractions.Tokens;

/// <summary>
/// One of a tenant's token signing keys (ES256): its key id (the RFC 7638 JWK thumbprint), the private key sealed under
/// the key-encryption key, and the public key (SubjectPublicKeyInfo DER) the tenant's JWKS publishes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TokenSigningKey
{
    [Id(0)] public required string KeyId { get; init; }
    [Id(1)] public required string ProtectedPrivateKey { get; init; }
    [Id(2)] public required byte[] PublicKey { get; init; }
    [Id(3)] public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When a newer key replaced it (null for the current key); it signs nothing after that.</summary>
    [Id(4)] public DateTimeOffset? RetiredAt { get; init; }
    /// <summary>Until when a retired key stays in the JWKS: past the expiry of the last token it can have signed.</summary>
    [Id(5)] public DateTimeOffset? PublishedUntil { get; init; }
    /// <summary>The next key: published already, so relying parties know it before the rotation that makes it sign.</summary>
    [Id(6)] public bool Next { get; init; }
}
