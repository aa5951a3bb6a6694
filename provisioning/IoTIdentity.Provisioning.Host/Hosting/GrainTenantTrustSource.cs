using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Host.Channel;
using IoTIdentity.Provisioning.Mqtt;

namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>
/// The tenants' CAs and revocations, as the MQTT endpoint's certificate check needs them: a tenant's CA certificates
/// are read from its grain once and cached (an unknown tenant is cached briefly, so a flood of made-up tenant names
/// costs one grain call per name per minute), and read again when a certificate chains to none of the cached CAs (a
/// rotation), at most once per tenant every few seconds; whether a serial is revoked is answered by this silo's
/// <see cref="RevocationView"/> (in memory, told of every revocation at once).
/// </summary>
internal sealed class GrainTenantTrustSource(IGrainFactory grains, RevocationView revocations, TimeProvider time) : ITenantTrustSource
{
    private static readonly TimeSpan UnknownTenantTtl = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (TenantTrust? Trust, DateTimeOffset Until)> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _reloaded = new(StringComparer.Ordinal);

    public async ValueTask<TenantTrust?> GetTrustAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (!TenantIds.IsValid(tenantId)) return null;
        if (_tenants.TryGetValue(tenantId, out var cached) && cached.Until > time.GetUtcNow()) return cached.Trust;
        return await ReadAsync(tenantId, cancellationToken);
    }

    public async ValueTask<TenantTrust?> ReloadTrustAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (!TenantIds.IsValid(tenantId)) return null;
        var now = time.GetUtcNow();
        if (_reloaded.TryGetValue(tenantId, out var last) && now - last < ReloadInterval) return null;
        _reloaded[tenantId] = now;
        return await ReadAsync(tenantId, cancellationToken);
    }

    private async Task<TenantTrust?> ReadAsync(string tenantId, CancellationToken cancellationToken)
    {
        var tenant = grains.GetGrain<ITenantGrain>(tenantId);
        var ca = await tenant.GetCaAsync().WaitAsync(cancellationToken);
        var trust = ca is null
            ? null
            : new TenantTrust(X509CertificateLoader.LoadCertificate(ca.RootCertificate), X509CertificateLoader.LoadCertificate(ca.IssuingCertificate),
                (await tenant.GetIssuingCasAsync().WaitAsync(cancellationToken)).Where(c => c.RetiredAt is not null)
                    .Select(c => X509CertificateLoader.LoadCertificate(c.Certificate)).ToList());
        _tenants[tenantId] = (trust, trust is null ? time.GetUtcNow() + UnknownTenantTtl : DateTimeOffset.MaxValue);
        return trust;
    }

    public ValueTask<bool> IsRevokedAsync(string tenantId, string serialNumber, CancellationToken cancellationToken) =>
        revocations.IsRevokedAsync(tenantId, RecordedForm(serialNumber), cancellationToken);

    /// <summary>
    /// The serial as the issuer records it (lowercase hex of the 16 random bytes): .NET gives the DER integer in
    /// uppercase, with a leading zero byte when the first random byte's high bit is set.
    /// </summary>
    private static string RecordedForm(string serial)
    {
        var lower = serial.ToLowerInvariant();
        return lower.Length == 34 && lower.StartsWith("00", StringComparison.Ordinal) ? lower[2..] : lower;
    }
}
