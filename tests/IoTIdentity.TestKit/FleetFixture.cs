using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Protocol;
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

    /// <summary>
    /// A clone caught and quarantined in <paramref name="tenant"/>: with clone suspicion set to quarantine, a new device
    /// enrols and renews on its authenticated session, then a copy of its first identity renews with the superseded certificate and is refused;
    /// monitoring opens a <c>CloneSuspected</c> finding and quarantines the device. Returns the device id and the
    /// finding's id once the finding shows the quarantine.
    /// </summary>
    public async Task<(string DeviceId, string FindingId)> EnrollQuarantinedCloneAsync(FleetTenant tenant)
    {
        using var admin = Service.ClientFor(tenant.AdminKey);
        using (var policy = await admin.PutAsJsonAsync("/api/v1/monitoring/policy", new { remediation = new Dictionary<string, string> { ["CloneSuspected"] = "Quarantine" } }))
            Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync());
        var deviceId = await _bench.OnTpmAsync(async tpm =>
        {
            var enrollment = new TpmEnrollment(tpm, await VirtualDevices.ManufactureAsync(tpm, tenant.Manufacturer));
            var id = await enrollment.ReadDeviceIdAsync();
            EnrollmentResult first;
            await using (var enrolmentOnly = await Service.ConnectAsync(id)) first = await enrollment.EnrollAsync(enrolmentOnly);
            await using var client = await Service.ConnectAuthenticatedAsync(enrollment, first);
            await enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber);
            var refusal = await Assert.ThrowsAsync<EnrollmentRefusedException>(() => enrollment.RenewAsync(client, first.DeviceKey, first.Issued.SerialNumber));
            Assert.Equal(ProvisioningError.RenewalNotAuthorized, refusal.Error);
            return id;
        });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var findings = JsonNode.Parse(await admin.GetStringAsync("/api/v1/findings?kind=CloneSuspected"))!["items"]!.AsArray();
            if (findings.FirstOrDefault(f => f!["remediation"]!.GetValue<string>() == "quarantine") is { } found)
                return (deviceId, found["id"]!.GetValue<string>());
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no quarantined CloneSuspected finding within 30 s: {findings.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}

/// <summary>A test's tenant: its id, owner-admin key and the manufacturer its default group trusts.</summary>
public sealed record FleetTenant(string TenantId, string AdminKey, ManufacturerCa Manufacturer);
