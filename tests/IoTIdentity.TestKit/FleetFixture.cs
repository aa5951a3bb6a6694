using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// The real service in-process (<see cref="ServiceFixture"/>) and one swtpm whose EKs a test manufacturer CA certifies:
/// each test makes its own tenant (with its own manufacturer) and enrols real devices into it, so no test sees another's devices.
/// </summary>
public sealed class FleetFixture : IAsyncLifetime
{
    private static int _tenants;
    private readonly SwtpmBench _bench = new();

    public ServiceFixture Service { get; } = new();
    private readonly List<ManufacturerCa> _manufacturers = [];
    public string Url => Service.BaseAddress.ToString();

    public async Task InitializeAsync()
    {
        await Service.InitializeAsync();
        await _bench.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _bench.DisposeAsync();
        await Service.DisposeAsync();
        foreach (var manufacturer in _manufacturers) manufacturer.Dispose();
    }

    /// <summary>
    /// A new tenant with an owner-admin key whose "default" group trusts a manufacturer of its own (so no other
    /// tenant's group matches its devices).
    /// </summary>
    public async Task<FleetTenant> NewTenantAsync()
    {
        var manufacturer = ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true });
        lock (_manufacturers) _manufacturers.Add(manufacturer);
        var tenant = await Service.CreateTenantAsync($"cli{Interlocked.Increment(ref _tenants)}-{Guid.NewGuid():N}"[..20], [manufacturer.RootDer]);
        return new FleetTenant(tenant.TenantId, tenant.AdminKey, manufacturer);
    }

    /// <summary>Another key of <paramref name="tenant"/> with <paramref name="role"/>.</summary>
    public async Task<string> KeyAsync(FleetTenant tenant, ApiRole role) =>
        (await Service.Grains.GetGrain<ITenantGrain>(tenant.TenantId).CreateApiKeyAsync(role, $"cli-test-{role}")).Key;

    /// <summary>Enrols a new device (a fresh EK on the swtpm) into <paramref name="tenant"/>'s default group; returns its id.</summary>
    public Task<string> EnrollDeviceAsync(FleetTenant tenant) => _bench.OnTpmAsync(async tpm =>
    {
        var options = await VirtualDevices.ManufactureAsync(tpm, tenant.Manufacturer);
        var enrollment = new TpmEnrollment(tpm, options);
        var deviceId = await enrollment.ReadDeviceIdAsync();
        await using var client = await Service.ConnectAsync(deviceId);
        var result = await enrollment.EnrollAsync(client);
        Assert.Equal(tenant.TenantId, result.Issued.Owner);
        return deviceId;
    });
}

/// <summary>A test's tenant: its id, owner-admin key and the manufacturer its default group trusts.</summary>
public sealed record FleetTenant(string TenantId, string AdminKey, ManufacturerCa Manufacturer);
