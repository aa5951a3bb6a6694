using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains.Enrollment;
using IoTIdentity.Provisioning.Grains.Tenants;
using Orleans.Serialization;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The tenant's and the groups' quota counters: an admission writes only the counters' own documents (never the
/// tenant's CA, keys and revocations or the group's policy), every admission and release is decided as the quotas say
/// whatever the order, the stored counts are the counts decided, and counts kept in the owners' state before the
/// counters had documents carry over.
/// </summary>
public sealed class AdmissionCountTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private static int _tenants;

    [Fact]
    public async Task Admitting_and_releasing_writes_the_counters_and_never_the_tenant_or_group_state()
    {
        var tenantId = NewTenantId();
        Assert.True(await Tenant(tenantId).CreateAsync("counters", maxDevices: 10));
        var group = new GroupKey(tenantId, "line-1");
        await cluster.Grains.GetGroupGrain(group).SetPolicyAsync(Policy(group, quota: 10));
        var tenantETag = (await cluster.Store.ReadAsync("tenant.tenant", tenantId))!.ETag;
        var groupETag = (await cluster.Store.ReadAsync("enrollmentgroup.group", group.ToString()))!.ETag;

        Assert.True(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("device-a"));
        Assert.True(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("device-b"));
        await cluster.Grains.GetGroupGrain(group).ReleaseAsync("device-a");

        Assert.Equal(tenantETag, (await cluster.Store.ReadAsync("tenant.tenant", tenantId))!.ETag);
        Assert.Equal(groupETag, (await cluster.Store.ReadAsync("enrollmentgroup.group", group.ToString()))!.ETag);
        Assert.Equal(1, await StoredCountAsync("tenant", tenantId));
        Assert.Equal(1, await StoredCountAsync("enrollmentgroup", group.ToString()));
        Assert.Equal(1, (await Tenant(tenantId).GetInfoAsync())!.DeviceCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Admissions_and_releases_in_any_order_follow_both_quotas_and_store_the_counts_decided(int seed)
    {
        var random = new Random(seed);
        var tenantId = NewTenantId();
        var tenantMax = random.Next(3, 9);
        Assert.True(await Tenant(tenantId).CreateAsync("orders", maxDevices: tenantMax));
        var groups = Enumerable.Range(0, 3).Select(i => new GroupKey(tenantId, $"g{i}")).ToArray();
        var quotas = groups.ToDictionary(g => g, _ => random.Next(0, 3) == 0 ? (int?)null : random.Next(1, 5));
        foreach (var g in groups) await cluster.Grains.GetGroupGrain(g).SetPolicyAsync(Policy(g, quotas[g]));
        var model = groups.ToDictionary(g => g, _ => new List<string>());

        for (var step = 0; step < 60; step++)
        {
            var g = groups[random.Next(groups.Length)];
            if (model[g].Count > 0 && random.Next(3) == 0)
            {
                var released = model[g][random.Next(model[g].Count)];
                await cluster.Grains.GetGroupGrain(g).ReleaseAsync(released);
                model[g].Remove(released);
                continue;
            }

            var deviceId = $"d{step}";
            var expected = (quotas[g] is not { } quota || model[g].Count < quota) && model.Values.Sum(d => d.Count) < tenantMax;
            Assert.Equal(expected, await cluster.Grains.GetGroupGrain(g).TryAdmitAsync(deviceId));
            if (expected) model[g].Add(deviceId);
        }

        foreach (var g in groups)
        {
            Assert.Equal(model[g].Count, await cluster.Grains.GetGroupGrain(g).GetDeviceCountAsync());
            Assert.Equal(model[g].Count, await StoredCountAsync("enrollmentgroup", g.ToString()) ?? 0);
        }
        Assert.Equal(model.Values.Sum(d => d.Count), (await Tenant(tenantId).GetInfoAsync())!.DeviceCount);
        Assert.Equal(model.Values.Sum(d => d.Count), await StoredCountAsync("tenant", tenantId) ?? 0);
    }

    [Fact]
    public async Task Concurrent_admissions_never_pass_the_group_quota()
    {
        var tenantId = NewTenantId();
        Assert.True(await Tenant(tenantId).CreateAsync("concurrent"));
        var group = new GroupKey(tenantId, "burst");
        await cluster.Grains.GetGroupGrain(group).SetPolicyAsync(Policy(group, quota: 7));

        var admitted = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => cluster.Grains.GetGroupGrain(group).TryAdmitAsync($"d{i}")));

        Assert.Equal(7, admitted.Count(a => a));
        Assert.Equal(7, await StoredCountAsync("enrollmentgroup", group.ToString()));
        Assert.Equal(7, await StoredCountAsync("tenant", tenantId));
    }

    [Fact]
    public async Task A_deleted_group_made_again_counts_from_zero_and_the_tenant_keeps_its_count()
    {
        var tenantId = NewTenantId();
        Assert.True(await Tenant(tenantId).CreateAsync("again", maxDevices: 2));
        var group = new GroupKey(tenantId, "again");
        await cluster.Grains.GetGroupGrain(group).SetPolicyAsync(Policy(group, quota: 1));
        Assert.True(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("first"));

        Assert.True(await cluster.Grains.GetGroupGrain(group).DeleteAsync());
        Assert.Null(await cluster.Store.ReadAsync("enrollmentgroup.admitted", group.ToString()));
        await cluster.Grains.GetGroupGrain(group).SetPolicyAsync(Policy(group, quota: 1));

        Assert.Equal(0, await cluster.Grains.GetGroupGrain(group).GetDeviceCountAsync());
        Assert.True(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("second"));
        Assert.False(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("third")); // the group's quota
        Assert.Equal(2, (await Tenant(tenantId).GetInfoAsync())!.DeviceCount);
    }

    [Fact]
    public async Task Counts_kept_in_the_tenant_and_group_state_before_the_counters_had_documents_carry_over()
    {
        var tenantId = NewTenantId();
        var group = new GroupKey(tenantId, "legacy");
        // what a service of an earlier version left: the counts inside the owners' state, no counter documents
        await cluster.Store.WriteAsync("tenant.tenant", tenantId,
            Serializer.SerializeToArray(new TenantState { Exists = true, Name = "legacy", MaxDevices = 4, DeviceCount = 4 }), null);
        await cluster.Store.WriteAsync("enrollmentgroup.group", group.ToString(),
            Serializer.SerializeToArray(new EnrollmentGroupState { Policy = Policy(group, quota: 3) with { Version = 1 }, DeviceCount = 3 }), null);

        Assert.Equal(3, await cluster.Grains.GetGroupGrain(group).GetDeviceCountAsync());
        Assert.False(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("over-the-group-quota"));
        Assert.False(await Tenant(tenantId).TryAdmitDeviceAsync("over-the-tenant-quota"));

        await cluster.Grains.GetGroupGrain(group).ReleaseAsync("one-of-the-three");

        Assert.Equal(2, await StoredCountAsync("enrollmentgroup", group.ToString()));
        Assert.Equal(3, await StoredCountAsync("tenant", tenantId));
        Assert.True(await cluster.Grains.GetGroupGrain(group).TryAdmitAsync("fits-again"));
        Assert.Equal(4, await StoredCountAsync("tenant", tenantId));
    }

    private Serializer Serializer => cluster.SiloService<Serializer>();

    private ITenantGrain Tenant(string tenantId) => cluster.Grains.GetGrain<ITenantGrain>(tenantId);

    private async Task<int?> StoredCountAsync(string grainType, string key) =>
        await cluster.Store.ReadAsync($"{grainType}.{AdmissionCount.StateName}", key) is { } stored
            ? Serializer.Deserialize<AdmissionCountState>(stored.Data)!.Count
            : null;

    private static EnrollmentPolicy Policy(GroupKey group, int? quota) =>
        new() { TenantId = group.TenantId, GroupId = group.GroupId, Quota = quota };

    private static string NewTenantId() => $"admit{Interlocked.Increment(ref _tenants)}{Environment.ProcessId % 1000}";
}
