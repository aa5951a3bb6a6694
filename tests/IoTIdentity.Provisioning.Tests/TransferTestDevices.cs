using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// Devices for transfer tests: distinct EKs on one swtpm certified by this instance's own manufacturer CA (so no other
/// test's tenant trusts them), enrolled with the device library over the service's MQTT endpoint.
/// </summary>
public sealed class TransferTestDevices : IAsyncDisposable
{
    private readonly SwtpmBench _bench = new();
    private readonly List<TestDevice> _enrolled = [];

    public ManufacturerCa Manufacturer => _bench.Manufacturer;

    public static async Task<TransferTestDevices> StartAsync()
    {
        var devices = new TransferTestDevices();
        await devices._bench.InitializeAsync();
        return devices;
    }

    /// <summary>A new device enrolled by whichever tenant's group trusts <see cref="Manufacturer"/>.</summary>
    public async Task<TestDevice> EnrollNewAsync(ServiceFixture service)
    {
        var options = await OnTpmAsync(tpm => VirtualDevices.ManufactureAsync(tpm, Manufacturer));
        var deviceId = await OnTpmAsync(tpm => new TpmEnrollment(tpm, options).ReadDeviceIdAsync());
        var device = new TestDevice(this, service, deviceId, options, await service.ConnectAsync(deviceId));
        _enrolled.Add(device);
        device.Last = await device.EnrollAsync();
        return device;
    }

    internal Task<T> OnTpmAsync<T>(Func<TpmClient, Task<T>> flow) => _bench.OnTpmAsync(flow);

    public async ValueTask DisposeAsync()
    {
        foreach (var device in _enrolled) await device.Client.DisposeAsync();
        await _bench.DisposeAsync();
    }
}

/// <summary>
/// One enrolled test device and its last enrolment result. <see cref="Client"/> is its session: enrolment-only until
/// its first renewal, which, as the agent does, opens the session its certificate authenticates (taking the id's
/// enrolment-only session over) and keeps it for its later requests and commands.
/// </summary>
public sealed class TestDevice(TransferTestDevices devices, ServiceFixture service, string deviceId, TpmEnrollmentOptions options, EnrollmentClient client)
{
    public string DeviceId => deviceId;
    public EnrollmentClient Client { get; set; } = client;
    public EnrollmentResult Last { get; set; } = null!;

    /// <summary>Enrols again from the EK (what the agent does on a re-enrol command): a new AK and device key.</summary>
    public Task<EnrollmentResult> EnrollAsync() => devices.OnTpmAsync(tpm => new TpmEnrollment(tpm, options).EnrollAsync(Client));

    /// <summary>
    /// Rotates on the device's authenticated session (opened first with <see cref="Last"/>'s certificate when
    /// <see cref="Client"/> is not one): the register signed by the current device key.
    /// </summary>
    public Task<EnrollmentResult> RenewAsync() => devices.OnTpmAsync(async tpm =>
    {
        var enrollment = new TpmEnrollment(tpm, options);
        var current = Last;
        if (!Client.IsAuthenticated || !Client.IsConnected)
        {
            var previous = Client;
            Client = await service.ConnectAuthenticatedAsync(enrollment, current);
            await previous.DisposeAsync();
        }
        return await enrollment.RenewAsync(Client, current.DeviceKey, current.Issued.SerialNumber);
    });
}
