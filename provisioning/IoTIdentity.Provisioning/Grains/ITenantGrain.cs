namespace IoTIdentity.Provisioning.Grains;

/// <summary>One tenant (key = tenantId): its CA material, API keys and CRL.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant with a fresh root and issuing CA; false if it already exists.</summary>
    Task<bool> CreateAsync(string name);

    /// <summary>Whether the tenant exists.</summary>
    Task<bool> ExistsAsync();

    /// <summary>The tenant's CA material (protected keys), for the signing workers; null if no tenant.</summary>
    Task<TenantCaRecord?> GetCaAsync();

    /// <summary>The tenant's ownership key (sealed private part, public part), created on first use; null if no tenant.</summary>
    Task<OwnershipKeyRecord?> GetOwnershipKeyAsync();

    /// <summary>Creates an API key; the plaintext is returned once and stored only hashed.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(ApiRole role, string? name);

    /// <summary>The role of a presented key (id + secret), or null; records its last use.</summary>
    Task<ApiRole?> AuthenticateAsync(string keyId, byte[] secret);

    /// <summary>Adds certificates to the CRL.</summary>
    Task RevokeCertificatesAsync(IReadOnlyList<RevocationRecord> revocations);

    /// <summary>The current CRL (DER), regenerated when revocations change or half its validity has passed.</summary>
    Task<byte[]?> GetCrlAsync();

    /// <summary>Whether a serial is on the CRL.</summary>
    Task<bool> IsRevokedAsync(string serialNumber);
}

/// <summary>A new API key: the whole key string, shown once.</summary>
[GenerateSerializer, Immutable]
public sealed record CreatedApiKey([property: Id(0)] string KeyId, [property: Id(1)] string Key, [property: Id(2)] ApiRole Role);

/// <summary>A tenant's ownership key: the private key sealed under the key-encryption key, and the public key (SPKI DER).</summary>
[GenerateSerializer, Immutable]
public sealed record OwnershipKeyRecord([property: Id(0)] string ProtectedPrivateKey, [property: Id(1)] byte[] PublicKey)
{
    /// <summary>The public key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string PublicKeyPem => System.Security.Cryptography.PemEncoding.WriteString("PUBLIC KEY", PublicKey);
}
