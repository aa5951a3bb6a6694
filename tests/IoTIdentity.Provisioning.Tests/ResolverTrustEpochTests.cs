using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>Counts the grain calls the service receives, by interface and method.</summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        _calls.AddOrUpdate($"{context.InterfaceMethod?.DeclaringType?.Name}.{context.MethodName}", 1, (_, n) => n + 1);
        return context.Invoke();
    }

    /// <summary>How many calls <c>Interface.Method</c> has received so far.</summary>
    public int Of(string interfaceAndMethod) => _calls.GetValueOrDefault(interfaceAndMethod);
}

/// <summary>The service with a <see cref="GrainCallCounter"/> filtering every incoming grain call.</summary>
public sealed class CountingServiceFixture : IAsyncLifetime
{
    public CountingServiceFixture() =>
        Service = ServiceFixture.With(new Dictionary<string, string?>(), services => services.AddSingleton<IIncomingGrainCallFilter>(Calls));

    public GrainCallCounter Calls { get; } = new();

    public ServiceFixture Service { get; }

    public Task InitializeAsync() => Service.InitializeAsync();

    public Task DisposeAsync() => Service.DisposeAsync();
}

/// <summary>
/// The resolver's policy snapshot: an unscoped first enrolment reads the enrolment directory's trust epoch and, while it
/// holds, no group or tenant; every change to a group's policy, the group list or a tenant's manufacturer roots moves
/// the epoch before it is acknowledged, so the next resolution answers as a resolver with nothing cached would.
/// </summary>
public sealed class ResolverTrustEpochTests(CountingServiceFixture fixture) : IClassFixture<CountingServiceFixture>, IDisposable
{
    private const int TestTimeout = 120_000;
    private const string GroupPolicyCalls = nameof(IEnrollmentGroupGrain) + "." + nameof(IEnrollmentGroupGrain.GetPolicyAsync);
    private const string TenantRootsCalls = nameof(ITenantGrain) + "." + nameof(ITenantGrain.GetManufacturerRootsAsync);

    // each test's own vendors: what one test's tenants trust never admits another test's devices
    private readonly ManufacturerCa Vendor = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Trust Epoch Vendor" });
    private readonly ManufacturerCa OtherVendor = ManufacturerCa.Create(new ManufacturerCaOptions { Name = "Trust Epoch Other Vendor" });

    private ServiceFixture Service => fixture.Service;

    private int ResolverCalls => fixture.Calls.Of(GroupPolicyCalls) + fixture.Calls.Of(TenantRootsCalls);

    /// <summary>An EK certificate from <see cref="Vendor"/> for a fresh P-256 key.</summary>
    private byte[] NewEkCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Vendor.IssueEkCertificate(key.ExportParameters(includePrivateParameters: false));
    }

    /// <summary>What a resolution decided, comparable across resolvers: the refusal, or the admitting group and its policy version, and the contenders.</summary>
    private async Task<string> DescribeAsync(EnrollmentResolver resolver, string deviceId, byte[] ekCertificate, string? scope = null)
    {
        var contenders = new List<string>();
        var resolved = await resolver.ResolveAsync(deviceId, ownerTenantId: null, scope, claimCode: null, ekCertificate, Vendor.IntermediatesDer, contenders);
        var outcome = resolved.IsRefused
            ? $"refused {resolved.Refusal!.Error}"
            : $"{resolved.Value!.Policy.TenantId}/{resolved.Value.Policy.GroupId} v{resolved.Value.Policy.Version} individualOnly={resolved.Value.Policy.IndividualOnly}";
        return $"{outcome} [{string.Join(",", contenders)}]";
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task After_every_acknowledged_policy_root_or_group_change_an_unscoped_resolution_answers_as_a_fresh_resolver_would(int seed)
    {
        var random = new Random(seed);
        var resolver = Service.App.Services.GetRequiredService<EnrollmentResolver>();
        var clock = Service.App.Services.GetRequiredService<TimeProvider>();
        var grains = Service.Grains;
        byte[][][] rootChoices = [[], [Vendor.RootDer], [OtherVendor.RootDer], [OtherVendor.RootDer, Vendor.RootDer]];
        var tenants = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var tenant = await Service.CreateTenantAsync($"ep{seed}-{i}-{Guid.NewGuid():N}"[..20], rootChoices[random.Next(rootChoices.Length)]);
            tenants.Add(tenant.TenantId);
        }
        var ekCertificate = NewEkCertificate();
        var deviceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await DescribeAsync(resolver, deviceId, ekCertificate);
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        var history = new List<string>();

        for (var step = 0; step < 25; step++)
        {
            var tenantId = tenants[random.Next(tenants.Count)];
            var group = grains.GetGroupGrain(new GroupKey(tenantId, random.Next(2) == 0 ? "default" : "second"));
            string change;
            switch (random.Next(4))
            {
                case 0:
                    var tenantRoots = rootChoices[random.Next(rootChoices.Length)];
                    await grains.GetGrain<ITenantGrain>(tenantId).SetManufacturerRootsAsync([.. tenantRoots]);
                    change = $"{tenantId} trusts {tenantRoots.Length} roots";
                    break;
                case 1 or 2:
                    var groupRoots = rootChoices[random.Next(rootChoices.Length)];
                    var individualOnly = random.Next(3) == 0;
                    await group.SetPolicyAsync(new EnrollmentPolicy { TenantId = tenantId, GroupId = "x", TrustedRoots = [.. groupRoots], IndividualOnly = individualOnly });
                    change = $"{group.GetPrimaryKeyString()} trusts {groupRoots.Length} roots, individualOnly={individualOnly}";
                    break;
                default:
                    await group.DeleteAsync();
                    change = $"{group.GetPrimaryKeyString()} deleted";
                    break;
            }

            var cached = await DescribeAsync(resolver, deviceId, ekCertificate);
            outcomes.Add(cached.StartsWith("refused ", StringComparison.Ordinal) ? cached.Split(' ')[1] : "admitted");
            history.Add(change);
            using (var fresh = new EnrollmentResolver(grains, Service.App.Services.GetRequiredService<StoredEnrollmentClaims>(), clock))
            {
                var expected = await DescribeAsync(fresh, deviceId, ekCertificate);
                Assert.True(cached == expected, $"after {string.Join("; ", history)}: the resolver answered {cached}, a fresh one {expected}");
            }

            // nothing changed since: the same answer, without a call to any group or tenant
            var before = ResolverCalls;
            Assert.Equal(cached, await DescribeAsync(resolver, deviceId, ekCertificate));
            Assert.Equal(before, ResolverCalls);
        }
        // the sequence went through admissions and refusals both, so the answers compared were not all alike
        Assert.Contains("admitted", outcomes);
        Assert.Contains(outcomes, o => o != "admitted");
        Console.WriteLine($"seed {seed}: {string.Join(", ", outcomes.Order())}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_unscoped_resolution_at_an_unchanged_epoch_calls_no_group_or_tenant_however_many_there_are()
    {
        var resolver = Service.App.Services.GetRequiredService<EnrollmentResolver>();
        // thirty tenants of another vendor, each with two groups, and the one tenant that admits the device
        for (var i = 0; i < 30; i++)
        {
            var other = await Service.CreateTenantAsync($"many-{i}-{Guid.NewGuid():N}"[..20], [OtherVendor.RootDer]);
            await Service.Grains.GetGroupGrain(new GroupKey(other.TenantId, "second"))
                .SetPolicyAsync(new EnrollmentPolicy { TenantId = other.TenantId, GroupId = "second", TrustedRoots = [OtherVendor.RootDer] });
        }
        var owner = await Service.CreateTenantAsync($"many-own-{Guid.NewGuid():N}"[..20], [Vendor.RootDer]);

        var first = await DescribeAsync(resolver, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), NewEkCertificate());
        Assert.StartsWith($"{owner.TenantId}/default ", first);
        for (var i = 0; i < 20; i++)
        {
            // an owned device's renewal reads its group between first enrolments, as live traffic does
            Assert.NotNull(await resolver.GetPolicyAsync(new GroupKey(owner.TenantId, "default")));
            var before = ResolverCalls;
            Assert.StartsWith($"{owner.TenantId}/default ",
                await DescribeAsync(resolver, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), NewEkCertificate()));
            Assert.Equal(before, ResolverCalls);
        }

        // one tenant's roots change: the next resolution reads that again, and its answer follows the change
        await Service.Grains.GetGrain<ITenantGrain>(owner.TenantId).SetManufacturerRootsAsync(ImmutableList<byte[]>.Empty);
        await Service.Grains.GetGroupGrain(new GroupKey(owner.TenantId, "default"))
            .SetPolicyAsync(new EnrollmentPolicy { TenantId = owner.TenantId, GroupId = "default", TrustedRoots = [OtherVendor.RootDer] });
        Assert.StartsWith("refused UntrustedEkCertificate",
            await DescribeAsync(resolver, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), NewEkCertificate()));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_unowned_devices_individual_enrolments_and_voucher_are_read_without_a_grain_call_and_every_acknowledged_change_is_seen()
    {
        var resolver = Service.App.Services.GetRequiredService<EnrollmentResolver>();
        var open = await Service.CreateTenantAsync($"stored-a-{Guid.NewGuid():N}"[..20], [Vendor.RootDer]);
        var claimant = await Service.CreateTenantAsync($"stored-b-{Guid.NewGuid():N}"[..20], [Vendor.RootDer]);
        // the claimant admits only devices it enrolled individually: without its enrolment or voucher the device is the open tenant's
        await Service.Grains.GetGroupGrain(new GroupKey(claimant.TenantId, "default"))
            .SetPolicyAsync(new EnrollmentPolicy { TenantId = claimant.TenantId, GroupId = "default", TrustedRoots = [Vendor.RootDer], IndividualOnly = true });
        var deviceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var ekCertificate = NewEkCertificate();
        var individual = Service.Grains.GetGrain<IIndividualEnrollmentGrain>(deviceId);
        var voucher = Service.Grains.GetGrain<IOwnershipVoucherGrain>(deviceId);
        const string Code = "claim-code-of-the-device";
        async Task<string> ResolveAsync(string? claimCode = null)
        {
            var contenders = new List<string>();
            var resolved = await resolver.ResolveAsync(deviceId, ownerTenantId: null, scope: null, claimCode, ekCertificate, Vendor.IntermediatesDer, contenders);
            return resolved.IsRefused ? $"refused {resolved.Refusal!.Error} [{string.Join(",", contenders)}]" : resolved.Value!.Policy.TenantId;
        }
        var lookups = () => fixture.Calls.Of("IIndividualEnrollmentGrain.ListAsync") + fixture.Calls.Of("IIndividualEnrollmentGrain.GetAsync")
            + fixture.Calls.Of("IOwnershipVoucherGrain.GetTenantAsync");
        var before = lookups();
        var ambiguous = $"refused AmbiguousOwner [{string.Join(",", new[] { open.TenantId, claimant.TenantId }.Order(StringComparer.Ordinal))}]";

        Assert.Equal(open.TenantId, await ResolveAsync());
        await individual.SetAsync(claimant.TenantId, "default", enabled: true, SHA256.HashData("claim-code-of-the-device"u8));
        Assert.Equal(claimant.TenantId, await ResolveAsync(Code));
        Assert.Equal(ambiguous, await ResolveAsync());
        Assert.True(await individual.DeleteAsync(claimant.TenantId));
        Assert.Equal(open.TenantId, await ResolveAsync(Code));

        // a voucher gives the device to the claimant, whose group then wants its individual enrolment too
        Assert.True(await voucher.SetAsync(claimant.TenantId));
        Assert.Equal("refused NotEnrolled []", await ResolveAsync());
        await individual.SetAsync(claimant.TenantId, "default", enabled: true);
        Assert.Equal(claimant.TenantId, await ResolveAsync());
        Assert.True(await voucher.DeleteAsync(claimant.TenantId));
        Assert.Equal(ambiguous, await ResolveAsync());
        Assert.True(await individual.DeleteAsync(claimant.TenantId));
        Assert.Equal(open.TenantId, await ResolveAsync());

        Assert.Equal(before, lookups());
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("owned")]
    [InlineData("tenant scope")]
    [InlineData("group scope")]
    public async Task An_owned_or_scoped_devices_individual_enrolment_is_read_without_a_grain_call_and_every_acknowledged_change_is_seen(string path)
    {
        var resolver = Service.App.Services.GetRequiredService<EnrollmentResolver>();
        var tenant = await Service.CreateTenantAsync($"within-{Guid.NewGuid():N}"[..20], [Vendor.RootDer]);
        var other = await Service.CreateTenantAsync($"within-o-{Guid.NewGuid():N}"[..20], [Vendor.RootDer]);
        // both groups admit only devices the tenant enrolled individually
        foreach (var groupId in new[] { "default", "second" })
            await Service.Grains.GetGroupGrain(new GroupKey(tenant.TenantId, groupId))
                .SetPolicyAsync(new EnrollmentPolicy { TenantId = tenant.TenantId, GroupId = groupId, TrustedRoots = [Vendor.RootDer], IndividualOnly = true });
        var deviceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var ekCertificate = NewEkCertificate();
        var individual = Service.Grains.GetGrain<IIndividualEnrollmentGrain>(deviceId);
        var (owner, scope) = path switch
        {
            "owned" => (tenant.TenantId, (string?)null),
            "tenant scope" => (null, tenant.TenantId),
            _ => ((string?)null, $"{tenant.TenantId}/default"),
        };
        async Task<string> ResolveAsync()
        {
            var resolved = await resolver.ResolveAsync(deviceId, owner, scope, claimCode: null, ekCertificate, Vendor.IntermediatesDer);
            return resolved.IsRefused ? $"refused {resolved.Refusal!.Error}" : $"{resolved.Value!.Policy.TenantId}/{resolved.Value.Policy.GroupId}";
        }
        var lookups = () => fixture.Calls.Of("IIndividualEnrollmentGrain.GetAsync") + fixture.Calls.Of("IIndividualEnrollmentGrain.ListAsync");
        var before = lookups();

        Assert.Equal("refused NotEnrolled", await ResolveAsync());
        await individual.SetAsync(tenant.TenantId, "default", enabled: true);
        Assert.Equal($"{tenant.TenantId}/default", await ResolveAsync());
        await individual.SetAsync(tenant.TenantId, "default", enabled: false);
        Assert.Equal("refused Disabled", await ResolveAsync());
        // moved to the tenant's other group: the group scope names the first, so only the others follow it there
        await individual.SetAsync(tenant.TenantId, "second", enabled: true);
        Assert.Equal(path == "group scope" ? "refused NotEnrolled" : $"{tenant.TenantId}/second", await ResolveAsync());
        // another tenant's enrolment of the device is not this tenant's
        await individual.SetAsync(other.TenantId, "default", enabled: true);
        Assert.True(await individual.DeleteAsync(tenant.TenantId));
        Assert.Equal("refused NotEnrolled", await ResolveAsync());
        Assert.True(await individual.DeleteAsync(other.TenantId));

        Assert.Equal(before, lookups());
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_group_deleted_and_made_again_is_resolved_by_its_new_policy_though_its_version_starts_again(bool scoped)
    {
        var resolver = Service.App.Services.GetRequiredService<EnrollmentResolver>();
        var tenant = await Service.CreateTenantAsync($"again-{Guid.NewGuid():N}"[..20], [Vendor.RootDer]);
        var group = Service.Grains.GetGroupGrain(new GroupKey(tenant.TenantId, "default"));
        var deviceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var ekCertificate = NewEkCertificate();
        var scope = scoped ? tenant.TenantId : null;
        Assert.StartsWith($"{tenant.TenantId}/default v1 individualOnly=False", await DescribeAsync(resolver, deviceId, ekCertificate, scope));

        Assert.True(await group.DeleteAsync());
        var again = await group.SetPolicyAsync(new EnrollmentPolicy { TenantId = tenant.TenantId, GroupId = "default", TrustedRoots = [Vendor.RootDer], IndividualOnly = true });
        Assert.Equal(1, again.Version);
        Assert.StartsWith("refused NotEnrolled", await DescribeAsync(resolver, deviceId, ekCertificate, scope));
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Of_several_groups_of_one_tenant_that_admit_a_device_the_first_by_ordinal_group_id_admits_it_whatever_order_they_were_made_in(int seed)
    {
        var resolver = Service.App.Services.GetRequiredService<EnrollmentResolver>();
        var tenant = await Service.CreateTenantAsync($"order-{Guid.NewGuid():N}"[..20], [OtherVendor.RootDer]);
        string[] groups = ["b-2", "a1", "a-1", "b", "ab", "a"];
        var random = new Random(seed);
        foreach (var groupId in groups.OrderBy(_ => random.Next()).ToList())
            await Service.Grains.GetGroupGrain(new GroupKey(tenant.TenantId, groupId))
                .SetPolicyAsync(new EnrollmentPolicy { TenantId = tenant.TenantId, GroupId = groupId, TrustedRoots = [Vendor.RootDer] });
        var first = groups.Order(StringComparer.Ordinal).First();

        foreach (var scope in new string?[] { null, tenant.TenantId })
            Assert.StartsWith($"{tenant.TenantId}/{first} ",
                await DescribeAsync(resolver, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), NewEkCertificate(), scope));
    }

    public void Dispose()
    {
        Vendor.Dispose();
        OtherVendor.Dispose();
    }
}
