using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>
/// Signs device certificates with the tenant's issuing CA, which each activation keeps loaded and swaps when a rotation
/// has replaced it (it asks the tenant grain for the current CA record at each issuance: an interleaved in-memory read).
/// </summary>
[StatelessWorker]
public sealed class CertificateSignerGrain(
    IGrainFactory grains,
    KeyEncryptionKeyRing keyRing,
    TenantCertificateAuthority authority,
    DeviceCertificateIssuer issuer,
    IOptions<ProvisioningOptions> options) : Grain, ICertificateSignerGrain
{
    private IssuingCa? _ca;
    private string? _caKey;
    private string _crlPath = "";
    private ECDsa? _ownershipKey;

    public async Task<SignedCertificate> IssueAsync(SigningRequest request)
    {
        var tenantId = this.GetPrimaryKeyString();
        _ca = await LoadCaAsync(tenantId, current: true);
        var issued = issuer.Issue(_ca, new DeviceCertificateRequest
        {
            SubjectPublicKeyInfo = request.SubjectPublicKeyInfo,
            DeviceId = request.DeviceId,
            TenantId = tenantId,
            HardwareModule = HardwareModuleName.ForTpm20(SHA256.HashData(request.EkPublic)),
            CrlDistributionPoint = new Uri($"{options.Value.PublicBaseUrl.TrimEnd('/')}{_crlPath}"),
            Lifetime = request.Lifetime,
        });
        return new SignedCertificate
        {
            CertificateDer = issued.Der,
            IssuingCaDer = _ca.CertificateDer.ToArray(),
            SerialNumber = issued.SerialNumber,
            NotBefore = issued.NotBefore,
            NotAfter = issued.NotAfter,
        };
    }

    public async Task<byte[]> SignDeviceCommandAsync(byte[] canonicalCommand) =>
        (await LoadCaAsync(this.GetPrimaryKeyString(), current: false)).SignDeviceCommand(canonicalCommand);

    public async Task<byte[]> SignOwnershipEntryAsync(byte[] signedBytes)
    {
        if (!signedBytes.AsSpan().StartsWith(System.Text.Encoding.ASCII.GetBytes(Protocol.Ownership.OwnershipEntries.Domain)))
            throw new ArgumentException("not an ownership entry", nameof(signedBytes));
        if (_ownershipKey is null)
        {
            var tenantId = this.GetPrimaryKeyString();
            var record = await grains.GetGrain<ITenantGrain>(tenantId).GetOwnershipKeyAsync()
                ?? throw new InvalidOperationException($"tenant {tenantId} does not exist");
            _ownershipKey = authority.OpenOwnershipKey(tenantId, record.ProtectedPrivateKey);
        }
        return Protocol.Ownership.OwnershipEntries.Sign(_ownershipKey, signedBytes);
    }

    /// <summary>The loaded issuing CA; with <paramref name="current"/>, first checked against the tenant's current one.</summary>
    private async Task<IssuingCa> LoadCaAsync(string tenantId, bool current)
    {
        if (_ca is not null && _ca.NotAfter >= DateTimeOffset.UtcNow && !current) return _ca;
        var material = await grains.GetGrain<ITenantGrain>(tenantId).GetCaAsync()
            ?? throw new InvalidOperationException($"tenant {tenantId} has no CA");
        if (_ca is null || _caKey != material.ProtectedIssuingKey || _ca.NotAfter < DateTimeOffset.UtcNow)
        {
            _ca?.Dispose();
            _ca = IssuingCa.Load(material.ToMaterial(tenantId), keyRing);
            _caKey = material.ProtectedIssuingKey;
            _crlPath = $"/crl/{tenantId}/{IssuingCaEntry.SerialOf(material.IssuingCertificate)}.crl";
        }
        return _ca;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _ca?.Dispose();
        _ownershipKey?.Dispose();
        return Task.CompletedTask;
    }
}
