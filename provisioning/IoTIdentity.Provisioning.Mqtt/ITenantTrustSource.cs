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

    /// <summary>Whether the tenant revoked the certificate with <paramref name="serialNumber"/> (uppercase hex).</summary>
    ValueTask<bool> IsRevokedAsync(string tenantId, string serialNumber, CancellationToken cancellationToken);
}

/// <summary>A tenant's CA: the root it trusts and the issuing CA that signs device certificates.</summary>
public sealed record TenantTrust(X509Certificate2 Root, X509Certificate2 Issuing);
