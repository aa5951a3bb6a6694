using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Certificates;
using IoTIdentity.Provisioning.Grains.Enrollment;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Grains.Tenants;

/// <summary>
/// A tenant: creates (or takes) its CA at creation and rotates its issuing CA, holds hashed API keys, its quota and
/// manufacturer roots, keeps its revocations and serves the CRL of each issuing CA it keeps.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant", ProvisioningStorage.Name)] IPersistentState<TenantState> state,
    [PersistentState(AdmissionCount.StateName, ProvisioningStorage.Name)] IPersistentState<AdmissionCountState> admittedState,
    TenantCertificateAuthority authority,
    KeyEncryptionKeyRing keyRing,
    AuditTrail audit,
    IDeviceSessions sessions,
    TimeProvider clock,
    IOptions<ProvisioningOptions> options) : Grain, ITenantGrain
{
    private readonly Dictionary<string, (byte[] Crl, DateTimeOffset BuiltAt)> _crls = new(StringComparer.Ordinal);
    private readonly AdmissionCount _admitted = new(admittedState, () => state.State.DeviceCount);

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<bool> CreateAsync(string name, TenantCaRecord? ca = null, int? maxDevices = null)
    {
        if (state.State.Exists) return false;
        ca ??= TenantCaRecord.From(authority.Create(TenantId));
        var (ownershipKey, ownershipPublic) = authority.CreateOwnershipKey(TenantId);
        state.State = new TenantState
        {
            Exists = true, Name = name, Ca = ca, MaxDevices = maxDevices, CreatedAt = clock.GetUtcNow(),
            ProtectedOwnershipKey = ownershipKey, OwnershipPublicKey = ownershipPublic,
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.Key).AddAsync(TenantId);
        return true;
    }

    public Task<bool> ExistsAsync() => Task.FromResult(state.State.Exists);

    public Task<TenantInfo?> GetInfoAsync()
    {
        var s = state.State;
        return Task.FromResult(s is { Exists: true, Ca: { } ca }
            ? new TenantInfo
            {
                TenantId = TenantId, Name = s.Name, MaxDevices = s.MaxDevices, DeviceCount = _admitted.Value, RootCertificate = ca.RootCertificate,
                IssuingCertificate = ca.IssuingCertificate, ManufacturerRoots = s.ManufacturerRoots, CreatedAt = s.CreatedAt, OwnCa = ca.ProtectedRootKey is null,
            }
            : null);
    }

    public Task<TenantCaRecord?> GetCaAsync() => Task.FromResult(state.State.Ca);

    public async Task SetQuotaAsync(int? maxDevices)
    {
        RequireExists();
        state.State = state.State with { MaxDevices = maxDevices };
        await state.WriteStateAsync();
    }

    public async Task<bool> TryAdmitDeviceAsync(string deviceId)
    {
        if (!state.State.Exists) return true;
        if (state.State.MaxDevices is { } max && _admitted.Value >= max) return false;
        await _admitted.ChangeAsync(+1);
        return true;
    }

    public async Task ReleaseDeviceAsync(string deviceId)
    {
        if (!state.State.Exists || _admitted.Value == 0) return;
        await _admitted.ChangeAsync(-1);
    }

    public async Task SetManufacturerRootsAsync(ImmutableList<byte[]> roots)
    {
        RequireExists();
        state.State = state.State with { ManufacturerRoots = roots, ManufacturerRootsVersion = state.State.ManufacturerRootsVersion + 1 };
        await state.WriteStateAsync();
        // before the change is acknowledged: resolvers holding the old roots read them again
        await GrainFactory.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).TouchAsync();
    }

    public Task<ManufacturerRoots> GetManufacturerRootsAsync() =>
        Task.FromResult(new ManufacturerRoots(state.State.ManufacturerRootsVersion, state.State.ManufacturerRoots));

    public async Task<OwnershipKeyRecord?> GetOwnershipKeyAsync()
    {
        if (!state.State.Exists) return null;
        if (state.State.ProtectedOwnershipKey is null || state.State.OwnershipPublicKey is null)
        {
            // a tenant created before ownership records existed gets its key on first use
            var (sealedKey, publicKey) = authority.CreateOwnershipKey(TenantId);
            state.State = state.State with { ProtectedOwnershipKey = sealedKey, OwnershipPublicKey = publicKey };
            await state.WriteStateAsync();
        }
        return new OwnershipKeyRecord(state.State.ProtectedOwnershipKey!, state.State.OwnershipPublicKey!);
    }

    public async Task<int> RewrapKeysAsync()
    {
        var s = state.State;
        if (!s.Exists) return 0;
        var ca = s.Ca is null ? null : TenantCaRecord.From(authority.Rewrap(s.Ca.ToMaterial(TenantId)));
        var ownership = s.ProtectedOwnershipKey is { } sealedKey && keyRing.NeedsRewrap(ProtectedKey.Decode(sealedKey))
            ? keyRing.Rewrap(ProtectedKey.Decode(sealedKey), KeyPurpose.TenantOwnership(TenantId)).Encode()
            : s.ProtectedOwnershipKey;
        var retired = s.RetiredIssuingCas.Select(r => keyRing.NeedsRewrap(ProtectedKey.Decode(r.ProtectedIssuingKey))
            ? r with { ProtectedIssuingKey = keyRing.Rewrap(ProtectedKey.Decode(r.ProtectedIssuingKey), KeyPurpose.TenantIssuingCa(TenantId)).Encode() }
            : r).ToImmutableList();
        var resealed = (ca?.ProtectedIssuingKey != s.Ca?.ProtectedIssuingKey ? 1 : 0) + (ca?.ProtectedRootKey != s.Ca?.ProtectedRootKey ? 1 : 0)
            + (ownership != s.ProtectedOwnershipKey ? 1 : 0) + retired.Where((r, i) => !ReferenceEquals(r, s.RetiredIssuingCas[i])).Count();
        if (resealed == 0) return 0;
        state.State = s with { Ca = ca, ProtectedOwnershipKey = ownership, RetiredIssuingCas = retired };
        await state.WriteStateAsync();
        return resealed;
    }

    public async Task<CreatedApiKey> CreateApiKeyAsync(ApiRole role, string? name)
    {
        RequireExists();
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = RandomNumberGenerator.GetBytes(32);
        var record = new ApiKeyRecord { KeyId = keyId, SecretHash = SHA256.HashData(secret), Role = role, CreatedAt = clock.GetUtcNow(), Name = name };
        state.State = state.State with { ApiKeys = state.State.ApiKeys.Add(record) };
        await state.WriteStateAsync();
        return new CreatedApiKey(keyId, ApiKeys.Format(TenantId, keyId, secret), role);
    }

    public Task<IReadOnlyList<ApiKeyView>> ListApiKeysAsync() => Task.FromResult<IReadOnlyList<ApiKeyView>>(
        state.State.ApiKeys.Select(k => new ApiKeyView(k.KeyId, k.Name, k.Role, k.CreatedAt, k.LastUsedAt, k.RevokedAt)).ToList());

    public async Task<bool> RevokeApiKeyAsync(string keyId)
    {
        var record = state.State.ApiKeys.FirstOrDefault(k => k.KeyId == keyId);
        if (record is null) return false;
        if (record.RevokedAt is not null) return true;
        state.State = state.State with { ApiKeys = state.State.ApiKeys.Replace(record, record with { RevokedAt = clock.GetUtcNow() }) };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<ApiRole?> AuthenticateAsync(string keyId, byte[] secret)
    {
        var record = state.State.ApiKeys.FirstOrDefault(k => k.KeyId == keyId);
        if (record is null || record.RevokedAt is not null) return null;
        if (!CryptographicOperations.FixedTimeEquals(record.SecretHash, SHA256.HashData(secret))) return null;
        var now = clock.GetUtcNow();
        if (record.LastUsedAt is null || now - record.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            state.State = state.State with { ApiKeys = state.State.ApiKeys.Replace(record, record with { LastUsedAt = now }) };
            await state.WriteStateAsync();
        }
        return record.Role;
    }

    public async Task RevokeCertificatesAsync(IReadOnlyList<RevocationRecord> revocations)
    {
        var known = state.State.Revoked.Select(r => r.SerialNumber).ToHashSet();
        var added = revocations.Where(r => known.Add(r.SerialNumber)).ToList();
        if (added.Count == 0) return;
        state.State = state.State with { Revoked = state.State.Revoked.AddRange(added), CrlNumber = state.State.CrlNumber + 1 };
        await state.WriteStateAsync();
        _crls.Clear();
        await GetCrlAsync(); // regenerated now, so a failure to sign shows at the revocation, not at a relying party's fetch
        // every silo's CRL view learns it before the caller closes the device's sessions, so a reconnect is refused anywhere
        await sessions.CertificatesRevokedAsync(TenantId, [.. added.Select(r => r.SerialNumber)]);
    }

    public Task<IReadOnlyList<string>> GetRevokedSerialsAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Revoked.Select(r => r.SerialNumber)]);

    public Task<byte[]?> GetCrlAsync() =>
        Task.FromResult(state.State.Ca is { } ca ? Crl(IssuingCaEntry.SerialOf(ca.IssuingCertificate), ca) : null);

    public Task<byte[]?> GetCrlOfAsync(string issuingSerial)
    {
        if (state.State.Ca is not { } ca) return Task.FromResult<byte[]?>(null);
        if (IssuingCaEntry.SerialOf(ca.IssuingCertificate) == issuingSerial) return Task.FromResult<byte[]?>(Crl(issuingSerial, ca));
        var retired = KeptRetired().FirstOrDefault(r => IssuingCaEntry.SerialOf(r.IssuingCertificate) == issuingSerial);
        return Task.FromResult(retired is null
            ? null
            : Crl(issuingSerial, ca with { IssuingCertificate = retired.IssuingCertificate, ProtectedIssuingKey = retired.ProtectedIssuingKey }));
    }

    public async Task<ProvisioningError?> RotateIssuingCaAsync(string actor)
    {
        if (state.State is not { Exists: true, Ca: { } ca }) return ProvisioningError.NotFound;
        if (ca.ProtectedRootKey is null) return ProvisioningError.Conflict;
        var now = clock.GetUtcNow();
        var renewed = TenantCaRecord.From(authority.RenewIssuingCa(ca.ToMaterial(TenantId)));
        using var old = X509CertificateLoader.LoadCertificate(ca.IssuingCertificate);
        var retired = new RetiredIssuingCa
        {
            IssuingCertificate = ca.IssuingCertificate, ProtectedIssuingKey = ca.ProtectedIssuingKey, RetiredAt = now,
            KeptUntil = new DateTimeOffset(old.NotAfter.ToUniversalTime(), TimeSpan.Zero),
        };
        state.State = state.State with { Ca = renewed, RetiredIssuingCas = [.. KeptRetired(), retired] };
        await state.WriteStateAsync();
        _crls.Clear();
        var (before, after) = (IssuingCaEntry.SerialOf(ca.IssuingCertificate), IssuingCaEntry.SerialOf(renewed.IssuingCertificate));
        await audit.RecordAsync(TenantId, AuditActions.TenantCaRotate, after, "rotated", [], actor,
            new Dictionary<string, string> { ["issuingCa"] = $"{before} → {after}", ["previousKeptUntil"] = retired.KeptUntil.ToString("O") });
        return null;
    }

    public Task<IReadOnlyList<IssuingCaEntry>> GetIssuingCasAsync()
    {
        if (state.State.Ca is not { } ca) return Task.FromResult<IReadOnlyList<IssuingCaEntry>>([]);
        IReadOnlyList<IssuingCaEntry> entries =
        [
            new IssuingCaEntry { Certificate = ca.IssuingCertificate },
            .. KeptRetired().Reverse().Select(r => new IssuingCaEntry { Certificate = r.IssuingCertificate, RetiredAt = r.RetiredAt, KeptUntil = r.KeptUntil }),
        ];
        return Task.FromResult(entries);
    }

    /// <summary>The retired issuing CAs whose certificates may still be valid (the others are no longer served).</summary>
    private IEnumerable<RetiredIssuingCa> KeptRetired()
    {
        var now = clock.GetUtcNow();
        return state.State.RetiredIssuingCas.Where(r => r.KeptUntil > now);
    }

    /// <summary>The CRL signed by the issuing CA in <paramref name="ca"/>, cached until half its validity has passed.</summary>
    private byte[] Crl(string issuingSerial, TenantCaRecord ca)
    {
        var validity = options.Value.CrlValidity;
        if (_crls.TryGetValue(issuingSerial, out var cached) && clock.GetUtcNow() - cached.BuiltAt <= validity / 2) return cached.Crl;
        using var issuing = IssuingCa.Load(ca.ToMaterial(TenantId), keyRing);
        var revoked = state.State.Revoked.Select(r => new RevokedCertificate(r.SerialNumber, r.RevokedAt, (CrlReason)r.Reason));
        var crl = new CrlBuilder(clock).Build(issuing, revoked, state.State.CrlNumber + 1, validity);
        _crls[issuingSerial] = (crl, clock.GetUtcNow());
        return crl;
    }

    public Task<RevocationRecord?> GetRevocationAsync(string serialNumber) =>
        Task.FromResult(state.State.Revoked.FirstOrDefault(r => r.SerialNumber == serialNumber));

    private void RequireExists()
    {
        if (!state.State.Exists) throw new InvalidOperationException($"tenant {TenantId} does not exist");
    }
}
