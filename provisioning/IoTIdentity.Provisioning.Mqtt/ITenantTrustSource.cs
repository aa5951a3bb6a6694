using System.Security.Cryptography.X509Certificates;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// What <see cref="TenantCaCertificateVerifier"/> asks about a tenant: its CA certificates and whether a serial is
/// revoked. The service answers from its grains (cached); tests answer from a test CA.
/// </summary>
public interface ITenantTrustSource
{
    /// <summary>The tenant's root and issuing CA certificates, or null for an unknown tenant.</summary>
    ValueTask<TenantTrust?> GetTrustAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// The tenant's CA certificates read afresh, when a certificate did not chain to the ones <see cref="GetTrustAsync"/>
    /// gave (its issuing CA may be newer than a cached answer); null when the source has nothing newer to offer.
    /// </summary>
    ValueTask<TenantTrust?> ReloadTrustAsync(string tenantId, CancellationToken cancellationToken) => ValueTask.FromResult<TenantTrust?>(null);

    /// <summary>Whether the tenant revoked the certificate with <paramref name="serialNumber"/> (uppercase hex).</summary>
    ValueTask<bool> IsRevokedAsync(string tenantId, string serialNumber, CancellationToken cancellationToken);
}

/// <summary>
/// A tenant's CA: the root it trusts, the issuing CA that signs device certificates and the issuing CAs rotations
/// retired whose certificates may still be current (<paramref name="Retired"/>; none when null).
/// </summary>
public sealed record TenantTrust(X509Certificate2 Root, X509Certificate2 Issuing, IReadOnlyList<X509Certificate2>? Retired = null)
{
    /// <summary>The current issuing CA, then the retired ones.</summary>
    public IEnumerable<X509Certificate2> IssuingCas => Retired is null ? [Issuing] : [Issuing, .. Retired];
}
