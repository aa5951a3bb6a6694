using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using Orleans.Metadata;
using Xunit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// The silo resolves a grain interface's <see cref="GrainInterfaceType"/> once per interface, and gives the name Orleans
/// itself gives: the one a naming attribute sets, otherwise the convention's.
/// </summary>
public sealed class GrainInterfaceTypeTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    /// <summary>A grain interface named by attribute (never implemented: only its name is resolved).</summary>
    [GrainInterfaceType("iotid-test-named")]
    public interface INamedTestGrain : IGrainWithStringKey
    {
        Task PingAsync();
    }

    [Fact]
    public void The_cached_provider_answers_first_in_the_silo()
    {
        var first = cluster.SiloService<IEnumerable<IGrainInterfaceTypeProvider>>().First();
        Assert.IsType<CachedGrainInterfaceTypeProvider>(first);
    }

    [Fact]
    public void An_interface_named_by_attribute_keeps_its_name_and_others_get_the_conventions()
    {
        var resolver = cluster.SiloService<GrainInterfaceTypeResolver>();
        Assert.Equal("iotid-test-named", resolver.GetGrainInterfaceType(typeof(INamedTestGrain)).ToString());
        foreach (var grain in new[] { typeof(IDeviceGrain), typeof(ITenantGrain), typeof(IEnrollmentGroupGrain), typeof(ICertificateSignerGrain) })
        {
            var byConvention = resolver.GetGrainInterfaceTypeByConvention(grain);
            Assert.Equal(byConvention, resolver.GetGrainInterfaceType(grain));
            Assert.Equal(byConvention, resolver.GetGrainInterfaceType(grain));
        }
    }

    [Fact]
    public async Task A_grain_reached_through_the_cached_name_answers()
    {
        var grains = cluster.SiloService<IGrainFactory>();
        // a device no tenant owns: the grain answers that another tenant does not own it
        Assert.False(await grains.GetGrain<IDeviceGrain>(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())).IsOwnedByAnotherTenantAsync("t1"));
    }
}
