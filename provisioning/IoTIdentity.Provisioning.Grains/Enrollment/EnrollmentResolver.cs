using System.Collections.Concurrent;
using IoTIdentity.Attestation.Ek;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;

namespace IoTIdentity.Provisioning.Grains.Enrollment;

/// <summary>
/// Finds the enrolment that admits a device: its individual enrolment if it has one, otherwise the first group
/// whose trusted manufacturer roots — its own plus its tenant's tenant-wide roots — its EK certificate chains to.
/// Keeps one <see cref="EkCertificateValidator"/> per group policy version and tenant roots version (roots are parsed
/// once), and the group list and each tenant's roots for a few seconds, so the hot path makes no directory or tenant
/// call per device; before refusing a device as untrusted it looks once more with both refreshed. One per silo.
/// </summary>
public sealed class EnrollmentResolver(IGrainFactory grains, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan DirectoryTtl = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<GroupKey, (long Version, long TenantRootsVersion, EnrollmentPolicy Policy, EkCertificateValidator? Validator)> _validators = new();
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, ManufacturerRoots Roots)> _tenantRoots = new();
    private (DateTimeOffset At, GroupDirectory Directory)? _directory;

    /// <summary>The enrolment that admits the device — its policy and validated EK certificate — or the refusal.</summary>
    internal async Task<Checked<ResolvedEnrollment>> ResolveAsync(string deviceId, byte[] ekCertificate, IReadOnlyList<byte[]> intermediates)
    {
        var individual = await grains.GetGrain<IIndividualEnrollmentGrain>(deviceId).GetAsync();
        if (individual is not null)
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

        // a group created in the last seconds may be missing from the cached list: look again once before refusing
        var match = await MatchGroupAsync(ekCertificate, intermediates, refreshed: false);
        if (match is null) match = await MatchGroupAsync(ekCertificate, intermediates, refreshed: true);
        return match ?? new Refusal(ProvisioningError.UntrustedEkCertificate, "no enrolment group trusts the EK certificate's root");
    }

    /// <summary>
    /// For a device moving to <paramref name="tenantId"/>: the named group of that tenant, or else the first of its groups
    /// whose roots the EK certificate chains to (individual enrolments and other tenants' groups are not consulted).
    /// </summary>
    internal async Task<Checked<ResolvedEnrollment>> ResolveForTenantAsync(string tenantId, string? groupId, byte[] ekCertificate, IReadOnlyList<byte[]> intermediates)
    {
        var keys = groupId is not null
            ? [new GroupKey(tenantId, groupId)]
            : (await GetDirectoryAsync(refresh: true)).Groups.Where(k => k.IsOf(tenantId)).OrderBy(k => k.ToString(), StringComparer.Ordinal).ToList();
        EkCertificateValidationResult? firstFailure = null;
        foreach (var key in keys)
        {
            var entry = await GetPolicyAsync(key);
            if (entry is null || groupId is null && entry.Value.Policy.IndividualOnly) continue;
            if (entry.Value.Validator is not { } validator) continue;   // a group with no roots trusts nothing
            var result = validator.Validate(ekCertificate, intermediates);
            if (result.IsValid) return new ResolvedEnrollment(entry.Value.Policy, result.Certificate!);
            if (result.Failure != EkCertificateFailure.UntrustedRoot) firstFailure ??= result;
        }
        if (firstFailure is not null) return ToRefusal(firstFailure);
        return new Refusal(groupId is null ? ProvisioningError.UntrustedEkCertificate : ProvisioningError.NotEnrolled,
            $"no group of the new owner {tenantId} admits the device");
    }

    /// <summary>The one group (of one tenant) that admits the EK certificate, a refusal, or null when none trusts its root.</summary>
    private async Task<Checked<ResolvedEnrollment>?> MatchGroupAsync(byte[] ekCertificate, IReadOnlyList<byte[]> intermediates, bool refreshed)
    {
        EkCertificateValidationResult? firstFailure = null;
        var knownButNotEnrolled = false;
        ResolvedEnrollment? match = null;
        var groups = (await GetDirectoryAsync(refreshed)).Groups;
        if (refreshed)
            await Task.WhenAll(groups.Select(k => k.TenantId).Distinct().Select(t => GetTenantRootsAsync(t, refresh: true)));
        foreach (var key in groups.OrderBy(k => k.ToString(), StringComparer.Ordinal))
        {
            var entry = await GetPolicyAsync(key);
            if (entry?.Validator?.Validate(ekCertificate, intermediates) is not { } result) continue;
            if (result.IsValid && entry.Value.Policy.IndividualOnly) knownButNotEnrolled = true;
            else if (result.IsValid && match is null) match = new ResolvedEnrollment(entry.Value.Policy, result.Certificate!);
            else if (result.IsValid && match is { } found && found.Policy.TenantId != entry.Value.Policy.TenantId)
                // two owners trust this manufacturer: which one owns the device is for an individual enrolment to say
                return new Refusal(ProvisioningError.NotEnrolled, "groups of several tenants trust this EK certificate; enrol the device individually");
            else if (!result.IsValid && result.Failure != EkCertificateFailure.UntrustedRoot) firstFailure ??= result;
        }
        if (match is not null) return match;
        if (knownButNotEnrolled) return new Refusal(ProvisioningError.NotEnrolled, "the EK certificate is trusted, but only individually enrolled devices are admitted");
        if (firstFailure is not null) return ToRefusal(firstFailure);
        return null;
    }

    /// <summary>
    /// The policy of a group and a validator trusting its roots and its tenant's, cached by both versions;
    /// <paramref name="refreshed"/> reads the tenant's roots again instead of using the few-seconds-old copy. The
    /// validator is null when neither trusts any root: such a group admits no device by its EK certificate.
    /// </summary>
    internal async Task<(EnrollmentPolicy Policy, EkCertificateValidator? Validator)?> GetPolicyAsync(GroupKey groupKey, bool refreshed = false)
    {
        var policy = await grains.GetGroupGrain(groupKey).GetPolicyAsync();
        if (policy is null) return null;
        var tenantRoots = await GetTenantRootsAsync(policy.TenantId, refreshed);
        if (_validators.TryGetValue(groupKey, out var cached) && cached.Version == policy.Version && cached.TenantRootsVersion == tenantRoots.Version)
            return (cached.Policy, cached.Validator);
        EkCertificateValidator? validator = policy.TrustedRoots.Count + tenantRoots.Certificates.Count == 0
            ? null : new EkCertificateValidator([.. policy.TrustedRoots, .. tenantRoots.Certificates], clock);
        _validators[groupKey] = (policy.Version, tenantRoots.Version, policy, validator);
        return (policy, validator);
    }

    private async Task<ManufacturerRoots> GetTenantRootsAsync(string tenantId, bool refresh)
    {
        var now = clock.GetUtcNow();
        if (!refresh && _tenantRoots.TryGetValue(tenantId, out var cached) && now - cached.At < DirectoryTtl) return cached.Roots;
        var roots = await grains.GetGrain<ITenantGrain>(tenantId).GetManufacturerRootsAsync();
        _tenantRoots[tenantId] = (now, roots);
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
        foreach (var entry in _validators.Values) entry.Validator?.Dispose();
    }
}
