using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// Finds the enrolment that admits a device, in this order: an owned device resolves within its owner (the owner's
/// individual enrolment for it, else the owner's groups) and nothing another tenant configures is consulted; an
/// unowned device that names an enrolment scope resolves within that tenant (or group) only; an unowned, unscoped
/// device that presents the claim code a tenant's individual enrolment holds resolves to that tenant, one that a
/// tenant's verified ownership voucher covers resolves within that tenant; any other
/// unowned, unscoped device resolves only when exactly one tenant admits it — through its individual enrolment for the device or
/// through its groups whose trusted manufacturer roots (its own plus the tenant's) the EK certificate chains to —
/// and is refused <see cref="ProvisioningError.AmbiguousOwner"/> when several do.
/// Keeps one <see cref="EkCertificateValidator"/> per distinct set of trusted roots, shared by the groups that trust
/// them (roots are parsed once, issuer paths verified once), each group's found again while its policy and its tenant's
/// roots version are unchanged; a resolution checks the EK certificate once per validator, not once per group. It keeps the group
/// list and each tenant's roots for a few seconds, so the hot path makes no directory or tenant call per device; before refusing a device as untrusted it looks once more with both refreshed.
/// An unscoped first enrolment reads the directory afresh and, while its trust epoch (<see cref="GroupDirectory.TrustEpoch"/>)
/// is the one the cached policies and roots were read at, calls no group or tenant: the cost of such an enrolment does
/// not grow with the number of tenants and groups, and a policy or root change is seen by the next resolution after it
/// is acknowledged. One per silo.
/// </summary>
public sealed class EnrollmentResolver(IGrainFactory grains, StoredEnrollmentClaims stored, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan DirectoryTtl = TimeSpan.FromSeconds(2);
    // what was read at a trust epoch is read again after this long all the same (a change whose epoch move failed)
    private static readonly TimeSpan EpochTrustLimit = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<GroupKey, CachedPolicy> _validators = new();
    private readonly ConcurrentDictionary<string, CachedRoots> _tenantRoots = new();
    private readonly ConcurrentDictionary<string, EkCertificateValidator> _validatorsByRoots = new(StringComparer.Ordinal);
    private (DateTimeOffset At, GroupDirectory Directory)? _directory;
    // boxed: read and written whole by concurrent resolutions
    private StrongBox<long>? _allRootsEpoch;

    /// <summary>
    /// The enrolment that admits the device — its policy and validated EK certificate — or the refusal.
    /// <paramref name="ownerTenantId"/> is the tenant the device is bound to (null while unowned);
    /// <paramref name="scope"/> the enrolment scope its register names, <paramref name="claimCode"/> the claim code it
    /// presents (proof for the tenant whose individual enrolment holds the code's hash). When the refusal is
    /// <see cref="ProvisioningError.AmbiguousOwner"/>, <paramref name="contenders"/> receives the tenants that matched.
    /// </summary>
    internal async Task<Checked<ResolvedEnrollment>> ResolveAsync(string deviceId, string? ownerTenantId, string? scope, string? claimCode,
        byte[] ekCertificate, IReadOnlyList<byte[]> intermediates, ICollection<string>? contenders = null)
    {
        // an owned device resolves to its owner before any group matching: nothing another tenant configures counts
        if (ownerTenantId is not null) return await ResolveWithinAsync(ownerTenantId, null, await stored.IndividualAsync(deviceId, ownerTenantId), ekCertificate, intermediates);
        if (scope is not null)
        {
            if (ParseScope(scope) is not { } named) return new Refusal(ProvisioningError.MalformedRequest, "enrolment scope is not {tenant} or {tenant}/{group}");
            return await ResolveWithinAsync(named.TenantId, named.GroupId, await stored.IndividualAsync(deviceId, named.TenantId), ekCertificate, intermediates);
        }

        var slots = await stored.ListIndividualAsync(deviceId);
        // a claim the tenant proves: the device presents the code whose hash the tenant's individual enrolment holds
        if (claimCode is not null)
        {
            var presented = SHA256.HashData(Encoding.UTF8.GetBytes(claimCode));
            var claimed = slots.Where(s => s.ClaimCodeHash is { } expected && CryptographicOperations.FixedTimeEquals(expected, presented)).ToList();
            if (claimed.Count == 1) return await ResolveIndividualAsync(claimed[0], ekCertificate, intermediates);
            if (claimed.Count > 1) return Ambiguous(claimed.Select(s => s.TenantId), contenders);
        }
        // a claim the tenant proves: a manufacturer-signed ownership voucher it uploaded (verified then) covers the device
        if (await stored.VouchedTenantAsync(deviceId) is { } vouched)
            return await ResolveWithinAsync(vouched, null, slots.FirstOrDefault(s => s.TenantId == vouched), ekCertificate, intermediates);

        // unowned and unscoped: the one tenant that admits it, never the first of several
        var viaIndividuals = new List<(string TenantId, Checked<ResolvedEnrollment> Resolved)>(slots.Count);
        foreach (var slot in slots) viaIndividuals.Add((slot.TenantId, await ResolveIndividualAsync(slot, ekCertificate, intermediates)));
        // an individual enrolment that does not even trust the device's EK certificate is no one's claim
        var claims = viaIndividuals.Where(v => !v.Resolved.IsRefused || v.Resolved.Refusal.Error == ProvisioningError.Disabled).ToList();
        // read afresh: a group or root another tenant added seconds ago must make this ambiguous, not leave the device to
        // the first tenant (a first enrolment without a scope is the one path that pays for the directory and roots reads)
        var matched = await MatchGroupsAsync(ekCertificate, intermediates, claims.Select(c => c.TenantId).ToHashSet(StringComparer.Ordinal), refreshed: true);
        var tenants = matched.Matches.Keys.Concat(claims.Select(c => c.TenantId)).Distinct().ToList();
        if (tenants.Count > 1) return Ambiguous(tenants, contenders);
        if (claims.Count == 1) return claims[0].Resolved;
        if (matched.Matches.Count == 1) return matched.Matches.Values.Single();
        if (viaIndividuals.Count > 0) return viaIndividuals[0].Resolved;
        if (matched.KnownButNotEnrolled) return new Refusal(ProvisioningError.NotEnrolled, "the EK certificate is trusted, but only individually enrolled devices are admitted");
        if (matched.FirstFailure is not null) return ToRefusal(matched.FirstFailure);
        return new Refusal(ProvisioningError.UntrustedEkCertificate, "no enrolment group trusts the EK certificate's root");
    }

    /// <summary>The refusal of a device several tenants admit, naming them (in order) to <paramref name="contenders"/> and in the detail.</summary>
    private static Refusal Ambiguous(IEnumerable<string> tenantIds, ICollection<string>? contenders)
    {
        var tenants = tenantIds.Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var tenant in tenants) contenders?.Add(tenant);
        return new Refusal(ProvisioningError.AmbiguousOwner,
            $"enrolments of {tenants.Count} tenants ({string.Join(", ", tenants)}) admit the device and it names no enrolment scope");
    }

    /// <summary>
    /// Within one tenant (and, from a group scope, one group): the tenant's individual enrolment for the device, else
    /// its groups that trust the EK certificate (an individual-only group only through an individual enrolment).
    /// </summary>
    private async Task<Checked<ResolvedEnrollment>> ResolveWithinAsync(string tenantId, string? groupId, IndividualEnrollment? individual,
        byte[] ekCertificate, IReadOnlyList<byte[]> intermediates)
    {
        if (individual is not null && individual.TenantId == tenantId && (groupId is null || individual.GroupId == groupId))
            return await ResolveIndividualAsync(individual, ekCertificate, intermediates);
        // the owner's renewals use the few-seconds-old group list; a group created since is found by a second look
        var resolved = await ResolveForTenantAsync(tenantId, groupId, ekCertificate, intermediates, refreshed: false);
        if (resolved.IsRefused) resolved = await ResolveForTenantAsync(tenantId, groupId, ekCertificate, intermediates, refreshed: true);
        if (!resolved.IsRefused && resolved.Value.Policy.IndividualOnly)
            return new Refusal(ProvisioningError.NotEnrolled, "the group admits only individually enrolled devices");
        return resolved;
    }

    /// <summary>The scope's tenant and, for a group scope, its group; null when it is neither form.</summary>
    private static (string TenantId, string? GroupId)? ParseScope(string scope)
    {
        var slash = scope.IndexOf('/');
        var tenant = slash < 0 ? scope : scope[..slash];
        var group = slash < 0 ? null : scope[(slash + 1)..];
        return TenantIds.IsValid(tenant) && (group is null || TenantIds.IsValid(group)) ? (tenant, group) : null;
    }

    /// <summary>The individual enrolment's group, validating the EK certificate against it (once more with fresh tenant roots before refusing).</summary>
    private async Task<Checked<ResolvedEnrollment>> ResolveIndividualAsync(IndividualEnrollment individual, byte[] ekCertificate, IReadOnlyList<byte[]> intermediates)
    {
        if (!individual.Enabled) return new Refusal(ProvisioningError.Disabled, "individual enrolment disabled");
        var groupKey = new GroupKey(individual.TenantId, individual.GroupId);
        if (await GetPolicyAsync(groupKey) is not { } policy)
            return new Refusal(ProvisioningError.NotEnrolled, "individual enrolment names a missing group");
        var result = policy.Validator?.Validate(ekCertificate, intermediates);
        if (result is null or { Failure: EkCertificateFailure.UntrustedRoot })
        {
            // the tenant may have added the root in the last seconds
            policy = await GetPolicyAsync(groupKey, refreshed: true) ?? policy;
            result = policy.Validator?.Validate(ekCertificate, intermediates);
            if (result is null) return new Refusal(ProvisioningError.UntrustedEkCertificate, "neither the group nor its tenant trusts any manufacturer root");
        }
        return result.IsValid ? new ResolvedEnrollment(policy.Policy, result.Certificate!) : ToRefusal(result);
    }

    /// <summary>
    /// For a device moving to <paramref name="tenantId"/>: the named group of that tenant, or else the first of its groups
    /// whose roots the EK certificate chains to (individual enrolments and other tenants' groups are not consulted).
    /// </summary>
    internal Task<Checked<ResolvedEnrollment>> ResolveForTenantAsync(string tenantId, string? groupId, byte[] ekCertificate, IReadOnlyList<byte[]> intermediates) =>
        ResolveForTenantAsync(tenantId, groupId, ekCertificate, intermediates, refreshed: true);

    private async Task<Checked<ResolvedEnrollment>> ResolveForTenantAsync(string tenantId, string? groupId, byte[] ekCertificate,
        IReadOnlyList<byte[]> intermediates, bool refreshed)
    {
        var keys = groupId is not null
            ? [new GroupKey(tenantId, groupId)]
            : (await GetDirectoryAsync(refreshed)).Groups.Where(k => k.IsOf(tenantId)).ToList();
        EkCertificateValidationResult? firstFailure = null;
        var knownButNotEnrolled = false;
        var judged = new Dictionary<EkCertificateValidator, EkCertificateValidationResult>(ReferenceEqualityComparer.Instance);
        foreach (var key in keys)
        {
            var entry = await GetPolicyAsync(key);
            if (entry?.Validator is not { } validator) continue;   // a group with no roots trusts nothing
            var result = ValidateOnce(judged, validator, ekCertificate, intermediates);
            if (result.IsValid && groupId is null && entry.Value.Policy.IndividualOnly) knownButNotEnrolled = true;
            else if (result.IsValid) return new ResolvedEnrollment(entry.Value.Policy, result.Certificate!);
            else if (result.Failure != EkCertificateFailure.UntrustedRoot) firstFailure ??= result;
        }
        if (firstFailure is not null) return ToRefusal(firstFailure);
        return new Refusal(groupId is null && !knownButNotEnrolled ? ProvisioningError.UntrustedEkCertificate : ProvisioningError.NotEnrolled,
            knownButNotEnrolled ? $"groups of {tenantId} trust the EK certificate, but admit only individually enrolled devices" : $"no group of {tenantId} admits the device");
    }

    /// <summary>
    /// Every tenant whose groups admit the EK certificate, with the first such group of each (groups of the
    /// <paramref name="exceptTenants"/>, whose individual enrolments speak for them, are skipped); whether an
    /// individual-only group trusts it; the first failure other than an untrusted root.
    /// </summary>
    private async Task<GroupMatches> MatchGroupsAsync(byte[] ekCertificate, IReadOnlyList<byte[]> intermediates, IReadOnlySet<string> exceptTenants, bool refreshed)
    {
        EkCertificateValidationResult? firstFailure = null;
        var knownButNotEnrolled = false;
        var matches = new Dictionary<string, ResolvedEnrollment>(StringComparer.Ordinal);
        var directory = await GetDirectoryAsync(refreshed);
        var groups = directory.Groups;
        // read afresh, the directory's epoch says which cached policies and roots still hold
        long? epoch = refreshed ? directory.TrustEpoch : null;
        var judged = new Dictionary<EkCertificateValidator, EkCertificateValidationResult>(ReferenceEqualityComparer.Instance);
        // every tenant's roots read at this epoch once, not once per resolution
        if (refreshed && _allRootsEpoch?.Value != epoch)
        {
            await Task.WhenAll(groups.Select(k => k.TenantId).Distinct().Select(t => GetTenantRootsAsync(t, refresh: true, epoch)));
            _allRootsEpoch = new StrongBox<long>(directory.TrustEpoch);
        }
        foreach (var key in groups)   // in the directory's (ordinal) order
        {
            if (exceptTenants.Contains(key.TenantId) || matches.ContainsKey(key.TenantId)) continue;
            var entry = HeldAt(key, epoch) ?? await GetPolicyAsync(key, epoch: epoch);
            if (entry?.Validator is not { } validator) continue;
            var result = ValidateOnce(judged, validator, ekCertificate, intermediates);
            if (result.IsValid && entry.Value.Policy.IndividualOnly) knownButNotEnrolled = true;
            else if (result.IsValid) matches[key.TenantId] = new ResolvedEnrollment(entry.Value.Policy, result.Certificate!);
            else if (result.Failure != EkCertificateFailure.UntrustedRoot) firstFailure ??= result;
        }
        return new GroupMatches(matches, knownButNotEnrolled, firstFailure);
    }

    /// <summary>
    /// The validator's decision on the EK certificate, worked out once per resolution: groups that trust the same roots
    /// share one validator (see <see cref="GetPolicyAsync"/>), so a certificate is checked once per distinct root set,
    /// not once per group.
    /// </summary>
    private static EkCertificateValidationResult ValidateOnce(Dictionary<EkCertificateValidator, EkCertificateValidationResult> judged,
        EkCertificateValidator validator, byte[] ekCertificate, IReadOnlyList<byte[]> intermediates)
    {
        if (!judged.TryGetValue(validator, out var result))
            judged[validator] = result = validator.Validate(ekCertificate, intermediates);
        return result;
    }

    private sealed record GroupMatches(IReadOnlyDictionary<string, ResolvedEnrollment> Matches, bool KnownButNotEnrolled, EkCertificateValidationResult? FirstFailure);

    /// <summary>
    /// The policy of a group and a validator trusting its roots and its tenant's, cached by both versions;
    /// <paramref name="refreshed"/> reads the tenant's roots again instead of using the few-seconds-old copy. The
    /// validator is null when neither trusts any root: such a group admits no device by its EK certificate.
    /// With the directory's trust <paramref name="epoch"/>, read before this call, a policy read at that epoch is
    /// answered from the cache without calling the group.
    /// </summary>
    internal async Task<(EnrollmentPolicy Policy, EkCertificateValidator? Validator)?> GetPolicyAsync(GroupKey groupKey, bool refreshed = false, long? epoch = null)
    {
        if (HeldAt(groupKey, epoch) is { } held) return held;
        var now = clock.GetUtcNow();
        var policy = await grains.GetGroupGrain(groupKey).GetPolicyAsync();
        if (policy is null) return null;
        var tenantRoots = await GetTenantRootsAsync(policy.TenantId, refreshed, epoch);
        // the validator is kept while the group's own roots are the same bytes and its tenant's the same version (the
        // policy's version alone is not enough: a group deleted and made again starts again at 1); the policy returned
        // is always the one just read, so every other field is current
        if (_validators.TryGetValue(groupKey, out var cached) && cached.TenantRootsVersion == tenantRoots.Version
            && SameRoots(cached.Policy.TrustedRoots, policy.TrustedRoots))
        {
            // with an epoch: stamped with it (the policy is at least as new as the epoch read before it); without, a
            // policy other than the one held loses the stamp (it may be older than what a concurrent reader stamped)
            if (epoch is not null && (cached.Epoch != epoch || !ReferenceEquals(cached.Policy, policy)))
                _validators[groupKey] = cached with { Policy = policy, Epoch = epoch, At = now };
            else if (epoch is null && !ReferenceEquals(cached.Policy, policy))
                _validators[groupKey] = cached with { Policy = policy, Epoch = null };
            return (policy, cached.Validator);
        }
        byte[][] roots = [.. policy.TrustedRoots, .. tenantRoots.Certificates];
        EkCertificateValidator? validator = roots.Length == 0 ? null
            : _validatorsByRoots.GetOrAdd(RootSetKey(roots), _ => new EkCertificateValidator(roots, clock));
        _validators[groupKey] = new CachedPolicy(tenantRoots.Version, policy, validator, epoch, now);
        return (policy, validator);
    }

    /// <summary>The group's policy and validator as read at the trust <paramref name="epoch"/>, if they were (and not too long ago).</summary>
    private (EnrollmentPolicy Policy, EkCertificateValidator? Validator)? HeldAt(GroupKey groupKey, long? epoch) =>
        epoch is not null && _validators.TryGetValue(groupKey, out var held) && held.Epoch == epoch && clock.GetUtcNow() - held.At < EpochTrustLimit
            ? (held.Policy, held.Validator)
            : null;

    /// <summary>A group's policy and validator, the tenant roots version it was built with, and the trust epoch (if any) it was read at.</summary>
    private sealed record CachedPolicy(long TenantRootsVersion, EnrollmentPolicy Policy, EkCertificateValidator? Validator, long? Epoch, DateTimeOffset At);

    /// <summary>A tenant's roots, when they were read and the trust epoch (if any) they were read at.</summary>
    private sealed record CachedRoots(DateTimeOffset At, ManufacturerRoots Roots, long? Epoch);

    /// <summary>Whether two root lists hold the same certificates, byte for byte, in the same order.</summary>
    private static bool SameRoots(IReadOnlyList<byte[]> a, IReadOnlyList<byte[]> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!a[i].AsSpan().SequenceEqual(b[i])) return false;
        return true;
    }

    /// <summary>The hex SHA-256 of the roots, in order, each length-prefixed: groups trusting the same roots share a validator.</summary>
    private static string RootSetKey(byte[][] roots)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var root in roots)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, root.Length);
            hash.AppendData(length);
            hash.AppendData(root);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>
    /// A tenant's manufacturer roots: with a trust <paramref name="epoch"/>, the copy read at that epoch (nothing older);
    /// without, the few-seconds-old copy unless <paramref name="refresh"/>; else read from the tenant.
    /// </summary>
    private async Task<ManufacturerRoots> GetTenantRootsAsync(string tenantId, bool refresh, long? epoch = null)
    {
        var now = clock.GetUtcNow();
        if (_tenantRoots.TryGetValue(tenantId, out var cached)
            && (epoch is not null ? cached.Epoch == epoch && now - cached.At < EpochTrustLimit : !refresh && now - cached.At < DirectoryTtl))
            return cached.Roots;
        var roots = await grains.GetGrain<ITenantGrain>(tenantId).GetManufacturerRootsAsync();
        _tenantRoots[tenantId] = new CachedRoots(now, roots, epoch);
        return roots;
    }

    private static Refusal ToRefusal(EkCertificateValidationResult result) => new(result.Failure switch
    {
        EkCertificateFailure.UntrustedRoot or EkCertificateFailure.InvalidChain or EkCertificateFailure.BadSignature => ProvisioningError.UntrustedEkCertificate,
        EkCertificateFailure.Expired or EkCertificateFailure.NotYetValid => ProvisioningError.EkCertificateNotTimeValid,
        _ => ProvisioningError.InvalidEkCertificate,
    }, $"EK certificate: {result.Failure}: {result.Detail}");

    private async Task<GroupDirectory> GetDirectoryAsync(bool refresh)
    {
        var now = clock.GetUtcNow();
        if (!refresh && _directory is { } d && now - d.At < DirectoryTtl) return d.Directory;
        var directory = await grains.GetGrain<IEnrollmentDirectoryGrain>(EnrollmentDirectoryGrain.Key).GetAsync();
        _directory = (now, directory);
        return directory;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var validator in _validatorsByRoots.Values) validator.Dispose();
    }
}
