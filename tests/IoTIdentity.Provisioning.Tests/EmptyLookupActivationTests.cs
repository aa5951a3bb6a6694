using IoTIdentity.Provisioning.Abstractions;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The lookups every first register of an unowned device makes — its individual enrolments and its ownership voucher — leave no
/// activation behind when they find nothing, and keep the ones that hold something.
/// </summary>
public sealed class EmptyLookupActivationTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task Lookups_that_find_nothing_leave_no_activation_and_enrolled_devices_keep_theirs()
    {
        var empty = Enumerable.Range(0, 40).Select(i => $"{Guid.NewGuid():N}{i:x4}").ToHashSet();
        var enrolled = $"{Guid.NewGuid():N}beef";
        await cluster.Grains.GetGrain<IIndividualEnrollmentGrain>(enrolled).SetAsync("lookup-tenant", "default", enabled: true);
        Assert.True(await cluster.Grains.GetGrain<IOwnershipVoucherGrain>(enrolled).SetAsync("lookup-tenant"));

        foreach (var id in empty)
        {
            Assert.Empty(await cluster.Grains.GetGrain<IIndividualEnrollmentGrain>(id).ListAsync());
            Assert.Null(await cluster.Grains.GetGrain<IOwnershipVoucherGrain>(id).GetTenantAsync());
        }
        Assert.Single(await cluster.Grains.GetGrain<IIndividualEnrollmentGrain>(enrolled).ListAsync());
        Assert.Equal("lookup-tenant", await cluster.Grains.GetGrain<IOwnershipVoucherGrain>(enrolled).GetTenantAsync());

        // deactivation runs after the call that asked for it; wait for it without forcing a collection
        var individualType = cluster.Grains.GetGrain<IIndividualEnrollmentGrain>(enrolled).GetGrainId().Type;
        var voucherType = cluster.Grains.GetGrain<IOwnershipVoucherGrain>(enrolled).GetGrainId().Type;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<GrainId> active;
        do
        {
            await Task.Delay(200);
            active = [.. (await cluster.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null))
                .Select(s => s.GrainId).Where(g => g.Type == individualType || g.Type == voucherType)];
        }
        while (active.Any(g => empty.Contains(g.Key.ToString()!)) && waited.Elapsed < TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(active, g => empty.Contains(g.Key.ToString()!));
        Assert.Contains(active, g => g.Type == individualType && g.Key.ToString() == enrolled);
        Assert.Contains(active, g => g.Type == voucherType && g.Key.ToString() == enrolled);
        // and a later lookup still finds what is there
        Assert.Equal("default", (await cluster.Grains.GetGrain<IIndividualEnrollmentGrain>(enrolled).GetAsync("lookup-tenant"))!.GroupId);
    }
}
