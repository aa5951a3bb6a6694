using System.Security.Cryptography;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Idle device grains leave memory: the configured idle time is the device grain class's collection age, and a silo
/// deactivates device grains nobody called for that long (seen through Orleans' management grain). Prints the managed
/// memory the activations held, for BENCHMARKS.md; asserts only the deactivation.
/// </summary>
public sealed class DeviceGrainCollectionTests(ITestOutputHelper output)
{
    private const int Devices = 2_000;

    [Fact]
    public void The_device_idle_time_is_the_device_grain_class_collection_age()
    {
        using var services = new ServiceCollection()
            .Configure<ProvisioningOptions>(options => options.DeviceIdleTime = TimeSpan.FromMinutes(3))
            .AddProvisioningGrains()
            .BuildServiceProvider();

        var collection = services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(3), collection.ClassSpecificCollectionAge[typeof(DeviceGrain).FullName!]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_device_idle_time_that_is_not_positive_is_refused_with_the_setting_named(int seconds)
    {
        using var services = new ServiceCollection()
            .Configure<ProvisioningOptions>(options => options.DeviceIdleTime = TimeSpan.FromSeconds(seconds))
            .AddProvisioningGrains()
            .BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value);

        Assert.Contains("Provisioning:DeviceIdleTime must be positive", error.Message);
    }

    [Fact(Timeout = 300_000)]
    public async Task Device_grains_nobody_calls_for_the_idle_time_are_deactivated_and_their_memory_returns()
    {
        var cluster = GrainCluster.WithDeviceIdleTime(TimeSpan.FromSeconds(5));
        await cluster.InitializeAsync();
        try
        {
            var management = cluster.Grains.GetGrain<IManagementGrain>(0);
            var ids = Enumerable.Range(0, Devices).Select(i => Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i + Environment.TickCount64)))).ToHashSet();
            var deviceType = cluster.Grains.GetGrain<IDeviceGrain>(ids.First()).GetGrainId().Type;
            async Task<int> ActiveAsync() =>
                (await management.GetDetailedGrainStatistics(null)).Count(s => s.GrainId.Type == deviceType && ids.Contains(s.GrainId.Key.ToString()!));

            var before = ManagedBytes();
            foreach (var chunk in ids.Chunk(200))
                await Task.WhenAll(chunk.Select(id => cluster.Grains.GetGrain<IDeviceGrain>(id).GetAsync("some-tenant")));
            var active = await ActiveAsync();
            var during = ManagedBytes();

            var idle = System.Diagnostics.Stopwatch.StartNew();
            var left = active;
            while (left > 0 && idle.Elapsed < TimeSpan.FromMinutes(4))
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                left = await ActiveAsync();
            }

            var after = ManagedBytes();
            Assert.Equal(Devices, active);
            Assert.Equal(0, left);
            output.WriteLine($"device grains: {active} activated, managed heap {before / 1024.0:F0} KiB → {during / 1024.0:F0} KiB " +
                $"({(during - before) / 1024.0 / active:F2} KiB per active grain); all deactivated {idle.Elapsed.TotalSeconds:F0} s after the last call " +
                $"(idle time 5 s, scan every 1 s); managed heap then {after / 1024.0:F0} KiB ({(after - before) / 1024.0 / active:F2} KiB per grain left)");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static long ManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
