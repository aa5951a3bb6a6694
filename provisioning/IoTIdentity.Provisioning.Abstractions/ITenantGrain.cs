using System.Collections.Immutable;
using IoTIdentity.Protocol;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>One tenant (key = tenantId): its CA material, quota, manufacturer roots, API keys and CRL.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the tenant with <paramref name="ca"/> (an issuing CA the owner brought, already checked and sealed) or,
    /// when null, a freshly generated root and issuing CA; registers it in the tenant directory. False if it already exists.
    /// </summary>
    Task<bool> CreateAsync(string name, TenantCaRecord? ca = null, int? maxDevices = null);

    /// <summary>Whether the tenant exists.</summary>
    Task<bool> ExistsAsync();

    /// <summary>The tenant's settings and counters, or null if no tenant.</summary>
    Task<TenantInfo?> GetInfoAsync();

    /// <summary>The tenant's CA material (protected keys), for the signing workers; null if no tenant.</summary>
    Task<TenantCaRecord?> GetCaAsync();

    /// <summary>Sets the device quota (null: no limit). Devices already admitted stay.</summary>
    Task SetQuotaAsync(int? maxDevices);

    /// <summary>Counts a new device against the tenant quota; false when it is used up. A missing tenant counts nothing.</summary>
    Task<bool> TryAdmitDeviceAsync(string deviceId);

    /// <summary>Gives back the quota a device used (it left the tenant); never below zero.</summary>
    Task ReleaseDeviceAsync(string deviceId);

    /// <summary>Replaces the tenant-wide trusted TPM manufacturer roots (DER).</summary>
    Task SetManufacturerRootsAsync(ImmutableList<byte[]> roots);

    /// <summary>The tenant-wide trusted TPM manufacturer roots and their version (for caching validators).</summary>
    [AlwaysInterleave]
    Task<ManufacturerRoots> GetManufacturerRootsAsync();
    /// <summary>The tenant's ownership key (sealed private part, public part), created on first use; null if no tenant.</summary>
    Task<OwnershipKeyRecord?> GetOwnershipKeyAsync();

    /// <summary>Creates an API key; the plaintext is returned once and stored only hashed.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(ApiRole role, string? name);

    /// <summary>Every API key of the tenant (never a secret), revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyView>> ListApiKeysAsync();

    /// <summary>Revokes an API key: it stops authenticating at once. False if there is no such key.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId);

    /// <summary>The role of a presented key (id + secret), or null; records its last use.</summary>
    Task<ApiRole?> AuthenticateAsync(string keyId, byte[] secret);

    /// <summary>Adds certificates to the CRL (the next fetch rebuilds it).</summary>
    Task RevokeCertificatesAsync(IReadOnlyList<RevocationRecord> revocations);

    /// <summary>The current CRL (DER), regenerated when revocations change or half its validity has passed.</summary>
    Task<byte[]?> GetCrlAsync();

    /// <summary>
    /// Seals the tenant's CA keys and ownership key again under the current key-encryption key (after a rotation put the
    /// old key in the ring's previous keys), so the old key can be retired; returns how many envelopes were resealed.
    /// </summary>
    Task<int> RewrapKeysAsync();

    /// <summary>
    /// Replaces the issuing CA of a generated tenant CA with a new one under the same root: it issues from then on; the
    /// old one is kept for its CRL and its devices until its last certificate expires. Audited. Refused with
    /// <see cref="ProvisioningError.NotFound"/> without a tenant and <see cref="ProvisioningError.Conflict"/>
    /// for a CA the owner brought (the owner holds its root key).
    /// </summary>
    Task<ProvisioningError?> RotateIssuingCaAsync(string actor);

    /// <summary>The current issuing CA first, then the retired ones still kept (newest first); empty without a tenant.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<IssuingCaEntry>> GetIssuingCasAsync();

    /// <summary>The CRL (DER) signed by the issuing CA with serial <paramref name="issuingSerial"/> (lowercase hex), current or retired; null if none.</summary>
    Task<byte[]?> GetCrlOfAsync(string issuingSerial);

    /// <summary>The CRL entry of a serial, or null when it is not revoked.</summary>
    Task<RevocationRecord?> GetRevocationAsync(string serialNumber);

    /// <summary>
    /// Every serial the tenant revoked (lowercase hex, as issued), for the CRL view each silo's MQTT endpoint checks
    /// client certificates against; empty without a tenant.
    /// </summary>
    Task<IReadOnlyList<string>> GetRevokedSerialsAsync();
}
