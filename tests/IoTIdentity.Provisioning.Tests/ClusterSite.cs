using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions.Monitoring;
using IoTIdentity.Simulator.Factory;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// A new tenant's enrolled devices on a <see cref="TwoSilos"/> cluster, for the cluster tests of sessions: the tenant
/// made on the first silo, each device (an emulated TPM, a software key) enrolled through the second.
/// </summary>
internal sealed class ClusterSite(TwoSilos silos, Fleet fleet, string tenantId, string directory) : IAsyncDisposable
{
    /// <summary>The enrolled devices.</summary>
    public List<ClusterDevice> Devices { get; } = [];

    /// <summary>Enrols <paramref name="devices"/> devices of a new tenant.</summary>
    public static async Task<ClusterSite> EnrolAsync(TwoSilos silos, int devices = 1)
    {
        var directory = Directory.CreateTempSubdirectory("iotid-cluster-sessions-").FullName;
        var fleet = Fleet.CreateEmulated(directory, devices);
        var tenant = await silos.First.CreateTenantAsync($"cs-{Guid.NewGuid():N}"[..20], [fleet.Manufacturer.RootDer]);
        var site = new ClusterSite(silos, fleet, tenant.TenantId, directory);
        foreach (var device in fleet.Devices)
        {
            await using var enrolmentOnly = await silos.Second.ConnectAsync(device.DeviceId);
            site.Devices.Add(new ClusterDevice(fleet, device, await fleet.EnrolAsync(device, enrolmentOnly)));
        }
        return site;
    }

    /// <summary>The tenant's findings, asked through the first silo.</summary>
    public async Task<IReadOnlyList<Finding>> FindingsAsync() => await silos.First.Grains.GetGrain<IMonitorGrain>(tenantId).ListFindingsAsync();

    public async ValueTask DisposeAsync()
    {
        await fleet.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }
}

/// <summary>An enrolled device of a <see cref="ClusterSite"/>.</summary>
internal sealed class ClusterDevice(Fleet fleet, FleetDevice device, EnrollmentResult identity)
{
    public string Id => device.DeviceId;

    /// <summary>Opens the device's authenticated session on <paramref name="silo"/>.</summary>
    public Task<EnrollmentClient> ConnectAsync(ServiceFixture silo) => silo.ConnectAuthenticatedAsync(fleet, device, identity);

    /// <summary>Whether <paramref name="silo"/>'s endpoint holds an authenticated session of the device, waiting up to <paramref name="within"/> for that to be <paramref name="holds"/>.</summary>
    public async Task<bool> HeldOnAsync(ServiceFixture silo, bool holds, TimeSpan within)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await silo.Mqtt.AuthenticatedSessionAsync(Id, askLiveness: false) is not null != holds && waited.Elapsed < within) await Task.Delay(50);
        return await silo.Mqtt.AuthenticatedSessionAsync(Id, askLiveness: false) is not null;
    }
}
