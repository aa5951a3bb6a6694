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
    private readonly List<EnrollmentClient> _clients = [];

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
        var client = await service.ConnectAsync(deviceId);
        _clients.Add(client);
        var device = new TestDevice(this, deviceId, options, client);
        device.Last = await device.EnrollAsync();
        return device;
    }

    internal Task<T> OnTpmAsync<T>(Func<TpmClient, Task<T>> flow) => _bench.OnTpmAsync(flow);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        await _bench.DisposeAsync();
    }
}

/// <summary>One enrolled test device and its last enrolment result.</summary>
public sealed class TestDevice(TransferTestDevices devices, string deviceId, TpmEnrollmentOptions options, EnrollmentClient client)
{
    public string DeviceId => deviceId;
    public EnrollmentClient Client { get; set; } = client;
    public EnrollmentResult Last { get; set; } = null!;

    /// <summary>Enrols again from the EK (what the agent does on a re-enrol command): a new AK and device key.</summary>
    public Task<EnrollmentResult> EnrollAsync() => devices.OnTpmAsync(tpm => new TpmEnrollment(tpm, options).EnrollAsync(Client));

    /// <summary>Rotates: the register signed by the current device key.</summary>
    public Task<EnrollmentResult> RenewAsync() =>
        devices.OnTpmAsync(tpm => new TpmEnrollment(tpm, options).RenewAsync(Client, Last.DeviceKey, Last.Issued.SerialNumber));
}
