using IoTIdentity.Attestation.Firmware;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Hosting;
using IoTIdentity.Provisioning.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using IoTIdentity.Simulator.Swtpm;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The service the fleet enrols against: here, the service in-process on its embedded defaults, its dev tenant's
/// default group told to trust the fleet's manufacturer root (through its grains: this is the service's own host).
/// </summary>
public sealed class ServiceTarget : IServiceTarget
{
    private readonly WebApplication _app;

    private ServiceTarget(WebApplication app) => _app = app;

    /// <summary>The service's services (inventory, grains), for checks.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>How devices reach the MQTT endpoint.</summary>
    public EnrollmentClientOptions ClientOptions
    {
        get
        {
            var mqtt = _app.Services.GetRequiredService<MqttEndpoint>();
            return new EnrollmentClientOptions { Host = "127.0.0.1", Port = mqtt.TlsPort, TrustAnchors = [mqtt.ServerCertificate], RequestTimeout = TimeSpan.FromSeconds(60) };
        }
    }

    /// <inheritdoc/>
    public TimeSpan? CpuTime => null;

    private ServiceApi? _api;

    /// <summary>The HTTP API with an operator key of the dev tenant, created (through its grain) on first use.</summary>
    public async Task<ServiceApi?> GetApiAsync(CancellationToken cancellationToken)
    {
        if (_api is not null) return _api;
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null) return null;
        var key = await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("dev").CreateApiKeyAsync(ApiRole.Operator, "simulator");
        return _api = new ServiceApi(new Uri(address), key.Key);
    }

    /// <summary>Starts the service in-process and makes the dev tenant trust <paramref name="manufacturerRoot"/>.</summary>
    /// <param name="dataDirectory">The service's data directory.</param>
    /// <param name="manufacturerRoot">The root the dev tenant's default group must trust.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="allowedFirmware">When set, the only firmware release the group allows.</param>
    /// <param name="settings">Configuration that replaces the defaults below (e.g. fixed HTTP and MQTT ports).</param>
    public static async Task<ServiceTarget> StartInProcessAsync(string dataDirectory, byte[] manufacturerRoot, CancellationToken cancellationToken,
        FirmwareManifest? allowedFirmware = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Provisioning:DataDirectory"] = dataDirectory,
            ["Mqtt:TlsPort"] = "0",
            ["Mqtt:BindAddress"] = "127.0.0.1",
            ["Mqtt:DeviceRequestsPerWindow"] = "1000",
            ["Mqtt:AddressRequestsPerWindow"] = "1000000",
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        var app = ProvisioningHost.Build([], builder => builder.Configuration.AddInMemoryCollection(configuration));
        await app.StartAsync(cancellationToken);
        var group = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IEnrollmentGroupGrain>("dev/default");
        var policy = await group.GetPolicyAsync() ?? new EnrollmentPolicy { TenantId = "dev", GroupId = "default" };
        if (!policy.TrustedRoots.Any(r => r.AsSpan().SequenceEqual(manufacturerRoot)))
            policy = await group.SetPolicyAsync(policy with { TrustedRoots = policy.TrustedRoots.Add(manufacturerRoot) });
        if (allowedFirmware is not null)
            await group.SetPolicyAsync(policy with { AllowedFirmware = [FirmwareRelease.From(allowedFirmware)] });
        return new ServiceTarget(app);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
