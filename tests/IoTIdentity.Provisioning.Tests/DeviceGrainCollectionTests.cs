using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Devices;
using IoTIdentity.Simulator.Factory;
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
/// memory the activations held — of unknown devices (empty state) and of enrolled ones (a real enrolment's state) —
/// for BENCHMARKS.md; asserts only what the grains hold and their deactivation.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
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

    [Fact]
    public void A_silo_caches_the_directory_entries_of_the_last_ten_thousand_grains_not_a_million()
    {
        using var services = new ServiceCollection().AddProvisioningGrains().BuildServiceProvider();

        // device grains leave memory once enrolled: a million stale entries would be most of a silo's heap after a burst
        Assert.Equal(ProvisioningGrainServices.DirectoryCacheSize, services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
        Assert.Equal(10_000, ProvisioningGrainServices.DirectoryCacheSize);
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

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_valid_certificate_limit_that_is_not_positive_is_refused_with_the_setting_named(int limit)
    {
        using var services = new ServiceCollection()
            .Configure<ProvisioningOptions>(options => options.MaxValidCertificatesPerDevice = limit)
            .AddProvisioningGrains()
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProvisioningOptions>>().Value);

        Assert.Contains("Provisioning:MaxValidCertificatesPerDevice must be positive", error.Message);
    }

    [Fact(Timeout = 300_000)]
    public async Task Device_grains_nobody_calls_for_the_idle_time_are_deactivated_and_their_memory_returns()
    {
        var cluster = GrainCluster.WithDeviceIdleTime(TimeSpan.FromSeconds(5));
        await cluster.InitializeAsync();
        try
        {
            var ids = NewDeviceIds();
            Task<int> ActiveAsync() => ActiveDeviceGrainsAsync(cluster.Grains, ids);

            var before = ManagedBytes();
            await ActivateAsync(cluster.Grains, ids, "some-tenant");
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

    [Fact(Timeout = 600_000)]
    public async Task Enrolled_device_grains_hold_their_certificate_and_attestation_and_leave_memory_when_collected()
    {
        var fleetDirectory = Directory.CreateTempSubdirectory("iotid-grain-memory-").FullName;
        var service = ServiceFixture.With(new Dictionary<string, string?>());
        await service.InitializeAsync();
        try
        {
            // one real enrolment (an emulated TPM through the service's MQTT endpoint): the state every copy below holds
            await using var fleet = Fleet.CreateEmulated(fleetDirectory, 1);
            var device = fleet.Devices[0];
            var tenant = await service.CreateTenantAsync($"mem-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
            EnrollmentResult enrolled;
            await using (var channel = await service.ConnectAsync(device.DeviceId))
                enrolled = await fleet.RunOnTpmAsync(device, tpm => new TpmEnrollment(tpm, fleet.OptionsFor(device)).EnrollAsync(channel), CancellationToken.None);
            var kind = $"{service.Grains.GetGrain<IDeviceGrain>(device.DeviceId).GetGrainId().Type}.device";
            var stored = (await service.Store.ReadAsync(kind, device.DeviceId))!;
            var management = service.Grains.GetGrain<IManagementGrain>(0);

            // the same run's floor: grains of unknown devices, whose state is empty
            var unknown = NewDeviceIds();
            var emptyBefore = ManagedBytes();
            await ActivateAsync(service.Grains, unknown, tenant.TenantId);
            var emptyDuring = ManagedBytes();
            Assert.Equal(Devices, await ActiveDeviceGrainsAsync(service.Grains, unknown));
            await CollectAsync(management, service.Grains, unknown);

            // as many enrolled devices: each grain reads and deserializes that state document
            var ids = NewDeviceIds();
            foreach (var chunk in ids.Chunk(500))
                await Task.WhenAll(chunk.Select(id => service.Store.WriteAsync(kind, id, stored.Data, null)));
            var before = ManagedBytes();
            var views = await ActivateAsync(service.Grains, ids, tenant.TenantId);
            var during = ManagedBytes();
            var active = await ActiveDeviceGrainsAsync(service.Grains, ids);
            var left = await CollectAsync(management, service.Grains, ids);
            var after = ManagedBytes();

            Assert.All(views, view => Assert.Equal((enrolled.Issued.SerialNumber, DeviceStatus.Active), (view?.CertificateSerial, view?.Status)));
            Assert.Equal(Devices, active);
            Assert.Equal(0, left);
            var empty = (emptyDuring - emptyBefore) / 1024.0 / Devices;
            var full = (during - before) / 1024.0 / Devices;
            output.WriteLine($"device grains, {Devices} per kind, managed heap after a full GC: unknown devices (empty state) " +
                $"{emptyBefore / 1024.0:F0} → {emptyDuring / 1024.0:F0} KiB ({empty:F2} KiB per active grain); enrolled devices " +
                $"({stored.Data.Length} bytes of stored state: certificate {enrolled.Issued.CertificateChain[0].Length} bytes DER, " +
                $"one attestation) {before / 1024.0:F0} → {during / 1024.0:F0} KiB ({full:F2} KiB per active grain, {full / empty:F1}× the empty grain); " +
                $"after collection {after / 1024.0:F0} KiB ({(after - before) / 1024.0 / Devices:F2} KiB per grain left)");
        }
        finally
        {
            await service.DisposeAsync();
            Directory.Delete(fleetDirectory, recursive: true);
        }
    }

    /// <summary><see cref="Devices"/> fresh device ids (hex SHA-256, like an EK-derived id).</summary>
    private static HashSet<string> NewDeviceIds() =>
        Enumerable.Range(0, Devices).Select(_ => Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray()))).ToHashSet();

    /// <summary>Activates the device grains of <paramref name="ids"/> (200 calls at a time), each asked for its view as <paramref name="tenantId"/>.</summary>
    private static async Task<List<DeviceView?>> ActivateAsync(IGrainFactory grains, IEnumerable<string> ids, string tenantId)
    {
        var views = new List<DeviceView?>();
        foreach (var chunk in ids.Chunk(200))
            views.AddRange(await Task.WhenAll(chunk.Select(id => grains.GetGrain<IDeviceGrain>(id).GetAsync(tenantId))));
        return views;
    }

    /// <summary>How many of the device grains of <paramref name="ids"/> the silo holds activated (Orleans' management grain).</summary>
    private static async Task<int> ActiveDeviceGrainsAsync(IGrainFactory grains, IReadOnlySet<string> ids)
    {
        var deviceType = grains.GetGrain<IDeviceGrain>(ids.First()).GetGrainId().Type;
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null);
        return statistics.Count(s => s.GrainId.Type == deviceType && ids.Contains(s.GrainId.Key.ToString()!));
    }

    /// <summary>Asks the silo to deactivate every grain idle for a second and waits (up to a minute) until none of <paramref name="ids"/> is left; returns how many are.</summary>
    private static async Task<int> CollectAsync(IManagementGrain management, IGrainFactory grains, IReadOnlySet<string> ids)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var left = await ActiveDeviceGrainsAsync(grains, ids);
        while (left > 0 && waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await management.ForceActivationCollection(TimeSpan.FromSeconds(1));
            left = await ActiveDeviceGrainsAsync(grains, ids);
        }
        return left;
    }

    private static long ManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
